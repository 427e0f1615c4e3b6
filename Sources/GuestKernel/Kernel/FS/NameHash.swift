/// The name hash shared by tmpfs's dcache-like chains (TmpfsNameHash.swift)
/// and the initramfs index (InitramfsNames.swift).
enum NameHash {
    /// A hash of the directory (tmpfs: the parent node; the initramfs index:
    /// 0), the length and the name's first and last eight bytes, a constant
    /// ~20 instructions however long the name (a byte-by-byte hash costs more
    /// than the compare it saves); names that differ only in between share a
    /// chain.
    static func of(_ parent: Int, _ name: UnsafePointer<UInt8>, _ n: Int) -> UInt32 {
        var w = UInt64(truncatingIfNeeded: n) << 32 ^ UInt64(truncatingIfNeeded: parent)
        if n >= 8 {
            w ^= UnsafeRawPointer(name).loadUnaligned(as: UInt64.self) &* 0x9E37_79B9_7F4A_7C15
            w ^= UnsafeRawPointer(name + (n &- 8)).loadUnaligned(as: UInt64.self)
        } else {
            for i in 0..<n { w ^= UInt64(name[i]) << UInt64(8 &* i &+ 8) }
        }
        w = w &* 0x9E37_79B9_7F4A_7C15
        return UInt32(truncatingIfNeeded: w >> 32)
    }
}
