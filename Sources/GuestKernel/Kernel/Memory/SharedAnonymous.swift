/// MAP_SHARED|MAP_ANONYMOUS memory (mmap(2)): Linux backs such an area with
/// a shmem object, so a child forked while it is mapped and its parent see
/// each other's writes, pages first touched after the fork included. Here
/// the area's pages are the object: demand-zero in a process that has not
/// forked (PageTable.sharedMapping set on each), and all given a frame just
/// before a fork (populate), so that parent and child map the same frames
/// (PageTable.cloneUserHalf shares them without copy-on-write) and no page
/// of the area is faulted in privately afterwards. FrameShares counts the
/// mappers; the last munmap or exit frees a frame. What this costs, unlike
/// Linux: a fork commits the memory of the shared areas it has not touched.
enum SharedAnonymous {
    /// Gives every page of `p`'s MAP_SHARED areas a frame (zero, with the
    /// area's rights; PROT_NONE keeps it under protNone), before fork.
    /// False when out of memory (the pages mapped so far stay, as faults).
    static func populate(_ p: UnsafeMutablePointer<Process>) -> Bool {
        let pml4 = p.pointee.pml4
        for i in 0..<p.pointee.vmas.count {
            let v = p.pointee.vmas.items[i]
            guard v.flags & VMA.sharedMemory != 0 else { continue }
            let rights = SysMemory.protectionBits(v.prot)
            var va = v.start
            while va < v.end {
                guard let slot = PageTable.slot(pml4, va, create: true) else { return false }
                if slot.pointee & (PTE.present | PageTable.protNone) == 0 {
                    guard let frame = FrameAllocator.allocate() else { return false }
                    slot.pointee = frame | rights | PageTable.sharedMapping
                }
                va += Physical.pageSize
            }
        }
        return true
    }
}
