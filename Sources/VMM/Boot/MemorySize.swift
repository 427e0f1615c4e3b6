/// A guest RAM size from the command line: "256M", "1G", "1GiB", "2048K",
/// "268435456". Binary units (K = 1024). Must be a whole number of 2 MiB
/// pages (the boot page tables map RAM in 2 MiB pages), at least 2 MiB and
/// at most 64 GiB.
struct MemorySize: Equatable, CustomStringConvertible {
    let bytes: UInt64

    static let minimum: UInt64 = 2 << 20
    static let maximum: UInt64 = BootPageTables.maxRAM

    enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case notMultipleOf2MiB(String)
        case tooSmall(String)
        case tooLarge(String)

        var description: String {
            switch self {
            case .malformed(let s): return "invalid memory size '\(s)': use a number with an optional K, M, G or T suffix (e.g. 256M)"
            case .notMultipleOf2MiB(let s): return "invalid memory size '\(s)': must be a multiple of 2 MiB"
            case .tooSmall(let s): return "memory size '\(s)' is too small: at least 2M"
            case .tooLarge(let s): return "memory size '\(s)' is too large: at most 64G"
            }
        }
    }

    init(bytes: UInt64) { self.bytes = bytes }

    init(parsing text: String) throws {
        let s = Substring(text).trimmingSpaces
        let digits = s.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { throw ParseError.malformed(text) }
        guard let number = UInt64(digits) else { throw ParseError.tooLarge(text) }
        let shift: UInt64
        switch s.dropFirst(digits.count).lowercased() {
        case "", "b": shift = 0
        case "k", "kb", "kib": shift = 10
        case "m", "mb", "mib": shift = 20
        case "g", "gb", "gib": shift = 30
        case "t", "tb", "tib": shift = 40
        default: throw ParseError.malformed(text)
        }
        guard number <= (UInt64.max >> shift) else { throw ParseError.tooLarge(text) }
        let bytes = number << shift
        guard bytes >= Self.minimum else { throw ParseError.tooSmall(text) }
        guard bytes <= Self.maximum else { throw ParseError.tooLarge(text) }
        guard bytes % X86.largePageSize == 0 else { throw ParseError.notMultipleOf2MiB(text) }
        self.bytes = bytes
    }

    var description: String {
        if bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        return "\(bytes >> 20) MiB"
    }
}
