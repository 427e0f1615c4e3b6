/// Physical memory as the kernel sees it: identity-mapped by the VMM at boot,
/// then through the kernel's direct map (all RAM at `directMapBase`, PML4 273
/// like Linux's page_offset_base) once the kernel's own page tables are live.
enum Physical {
    static let directMapBase: UInt64 = 0xffff_8880_0000_0000
    static let kernelVirtualBase: UInt64 = 0xffff_ffff_8000_0000
    static let pageSize: UInt64 = 4096
    nonisolated(unsafe) static var offset: UInt64 = 0

    /// Unchecked (no trap for a zero sum): `offset` is the direct map's base
    /// once paging is the kernel's, and a null dereference in ring 0 is a
    /// page fault reported as any other (status 112); the check cost every
    /// level of every page-table walk two instructions.
    @inline(__always) static func pointer<T>(_ phys: UInt64, as: T.Type = T.self) -> UnsafeMutablePointer<T> {
        UnsafeMutablePointer<T>(bitPattern: UInt(phys &+ offset)).unsafelyUnwrapped
    }

    static func bytes(_ phys: UInt64) -> UnsafeMutablePointer<UInt8> { pointer(phys) }

    /// Physical address of a kernel-image symbol (linked at 0xffffffff80000000 + phys).
    static func ofKernelSymbol(_ p: UnsafeRawPointer) -> UInt64 {
        UInt64(UInt(bitPattern: p)) &- kernelVirtualBase
    }
}

@inline(__always) func pageDown(_ v: UInt64) -> UInt64 { v & ~(Physical.pageSize - 1) }
/// Rounds up; nil when it would overflow.
@inline(__always) func pageUp(_ v: UInt64) -> UInt64? {
    let (s, o) = v.addingReportingOverflow(Physical.pageSize - 1)
    return o ? nil : pageDown(s)
}
