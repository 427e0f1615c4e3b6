import SystemPackage

enum MemoryError: Error, Equatable, CustomStringConvertible {
    /// A guest-physical range that is not inside guest RAM.
    case outOfRange(address: UInt64, length: UInt64, ramSize: UInt64)
    case map(size: UInt64, Errno)
    case populate(Errno)
    case lock(size: UInt64, Errno)

    var description: String {
        switch self {
        case .outOfRange(let a, let l, let r):
            return "guest range 0x\(hex(a)) + \(l) bytes is outside guest RAM (\(r) bytes)"
        case .map(let size, let e):
            return "cannot map \(size) bytes of guest RAM: \(e)"
        case .populate(let e):
            return "cannot populate guest RAM: \(e)"
        case .lock(let size, let e):
            return "cannot lock \(size) bytes of guest RAM in memory (mlock): \(e)"
        }
    }
}
