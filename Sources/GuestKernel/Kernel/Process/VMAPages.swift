/// Pages for VMAStore: frames seen through the direct map. (The host tests,
/// which compile VMAStore.swift, give it pages of their own: HostStubs.swift.)
enum VMAPages {
    static func allocate() -> UnsafeMutableRawPointer? {
        guard let f = FrameAllocator.allocate() else { return nil }
        return UnsafeMutableRawPointer(Physical.bytes(f))
    }

    static func free(_ p: UnsafeMutableRawPointer) {
        FrameAllocator.free(UInt64(UInt(bitPattern: p)) &- Physical.offset)
    }
}
