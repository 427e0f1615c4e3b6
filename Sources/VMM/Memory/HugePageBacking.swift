/// Whether the host backs all of guest RAM with transparent huge pages, read
/// after `--prealloc` populated it. When it does, the guest's touch loop
/// (`--warm touch`) writes one byte per 2 MiB instead of per 4 KiB
/// (VMM_BOOT_FLAG_HUGE_BACKED): a stage-2 fault on a THP-backed page maps
/// all 2 MiB at once (KVM's host_pfn_mapping_level() follows the host's
/// page size), so the other 511 touches would find it mapped already.
enum HugePageBacking {
    static let pageSize: UInt64 = 2 << 20

    /// True when every byte of [base, base + size) is in huge pages; false
    /// if /proc/self/smaps cannot be read or size is not a whole number of them.
    static func wholly(base: UnsafeMutableRawPointer, size: UInt64) -> Bool {
        guard size > 0, size % pageSize == 0, let smaps = readTextFile("/proc/self/smaps") else { return false }
        let start = UInt64(UInt(bitPattern: base))
        return hugeBytes(smaps: smaps, start: start, end: start &+ size) == size
    }

    /// The `AnonHugePages` of the mappings in `smaps` (proc(5)) that lie
    /// inside [start, end): a mapping that only overlaps it is not counted,
    /// since its huge pages may lie outside the range.
    static func hugeBytes(smaps: String, start: UInt64, end: UInt64) -> UInt64 {
        var inside = false
        var total: UInt64 = 0
        for line in smaps.split(separator: "\n") {
            if let range = mappingRange(line) {
                inside = range.lower >= start && range.upper <= end
            } else if inside, line.hasPrefix("AnonHugePages:") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                if fields.count >= 2, let kb = UInt64(fields[1]) { total &+= kb &* 1024 }
            }
        }
        return total
    }

    /// "7f12a0000000-7f12b0000000 rw-p 00000000 00:00 0 ..." → the range.
    private static func mappingRange(_ line: Substring) -> (lower: UInt64, upper: UInt64)? {
        guard let first = line.split(separator: " ", maxSplits: 1).first,
              let dash = first.firstIndex(of: "-"),
              let lo = UInt64(first[..<dash], radix: 16),
              let hi = UInt64(first[first.index(after: dash)...], radix: 16), lo <= hi else { return nil }
        return (lo, hi)
    }
}
