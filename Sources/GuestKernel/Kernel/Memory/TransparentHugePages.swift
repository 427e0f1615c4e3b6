/// Transparent huge pages for anonymous memory, as Linux's THP
/// (Documentation/admin-guide/mm/transhuge.rst): a demand fault in a 2 MiB-
/// aligned stretch lying wholly inside one eligible area, with no 4 KiB page
/// mapped there yet, maps one pre-zeroed 2 MiB frame with a PD entry instead
/// of a 4 KiB page. Which areas are eligible is the `transparent_hugepage=`
/// kernel parameter, with Linux's values:
/// - `always`: every anonymous area (mmap, heap, stack) but MADV_NOHUGEPAGE ones;
/// - `madvise` (the default, as on most distributions and this project's hosts):
///   only areas given MADV_HUGEPAGE;
/// - `never`: none.
/// The heap is not an area of its own here (Process.brkStart..brk), so madvise
/// on it is accepted but only `always` gives it huge pages.
enum TransparentHugePages {
    enum Policy { case always, madvise, never }
    nonisolated(unsafe) static var policy = Policy.madvise {
        didSet {
            switch policy {
            case .madvise: mask = VMA.hugePage | VMA.sharedMemory; want = VMA.hugePage
            case .always: mask = VMA.noHugePage | VMA.sharedMemory; want = 0
            case .never: mask = 0; want = 1                 // never equal
            }
        }
    }
    /// The policy as one test on an area's flags (the fault path's: no switch).
    nonisolated(unsafe) private static var mask = VMA.hugePage | VMA.sharedMemory
    nonisolated(unsafe) private static var want = VMA.hugePage

    /// Whether a fault in an area with `flags` may take a 2 MiB page:
    /// `madvise` wants VMA.hugePage, `always` no VMA.noHugePage, `never`
    /// nothing. Never in a MAP_SHARED area (Linux's shmem_enabled defaults
    /// to never, and fork copies 2 MiB pages).
    @inline(__always) static func eligible(flags: UInt32) -> Bool { flags & mask == want }

    /// The policy named by a `transparent_hugepage=` value; nil when unknown.
    static func policy(named value: UnsafePointer<UInt8>, _ n: Int) -> Policy? {
        if n == 6 && bytesEqual(value, "always", 6) { return .always }
        if n == 7 && bytesEqual(value, "madvise", 7) { return .madvise }
        if n == 5 && bytesEqual(value, "never", 5) { return .never }
        return nil
    }
}
