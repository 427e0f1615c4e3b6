import KernelSupport

/// A table of `count` trivial values whose all-zero bit pattern is their empty
/// state, zeroed with one `rep stosq` instead of an initializer per entry
/// (each emulated ring-0 instruction costs ~1 µs here, platform.md).
func zeroedTable<T: BitwiseCopyable>(of type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
    let bytes = (MemoryLayout<T>.stride * count + 7) & ~7
    let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
    zero_qwords(raw, UInt64(bytes / 8))
    return raw.bindMemory(to: T.self, capacity: count)
}
