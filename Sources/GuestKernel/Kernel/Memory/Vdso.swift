import KernelSupport

/// The vDSO (vdso(7)): the shared object build-guest-kernel.sh builds from
/// guest-images/vdso and embeds page-aligned in the kernel image, and its data
/// page ([vvar], vdso_data.h), mapped in every process at exec: [vvar]
/// read-only, then [vdso] read+exec, as Linux's map_vdso. Both are the kernel
/// image's own frames, mapped `PageTable.borrowed` (never freed; fork shares
/// them like initrd pages; a write after mprotect gets a private copy).
/// The vDSO finds the data page one page below its first byte (vdso.lds).
enum Vdso {
    /// Right above the stack, in the page table that maps the stack's top, so
    /// a process needs no page table of its own for them (which would cost a
    /// 512-entry walk at fork and at exit and a zeroed frame): Linux's
    /// vdso_addr placed it above the stack within the same PMD for the same
    /// reason. vvar + at most 3 vDSO pages up to userTop (the build checks).
    static let vvarAddress: UInt64 = Process.stackTop
    static let maxImagePages: UInt64 = (PageTable.userTop - Process.stackTop) / Physical.pageSize - 1
    static var imageAddress: UInt64 { vvarAddress + Physical.pageSize }
    static var imagePages: UInt64 { (vdso_image_end_address() - vdso_image_start_address() + Physical.pageSize - 1) / Physical.pageSize }
    static var end: UInt64 { imageAddress + imagePages * Physical.pageSize }

    static var data: UnsafeMutablePointer<vdso_data> {
        UnsafeMutablePointer<vdso_data>(bitPattern: UInt(vdso_vvar_address()))!
    }

    /// Publishes the clock (Support/Clock.swift) to the data page, under the
    /// sequence count (odd while writing). At boot, and whenever the clock's
    /// base changes.
    static func publish() {
        let d = data
        d.pointee.seq &+= 1
        compiler_barrier()
        d.pointee.tsc_khz = Clock.tscKHz
        d.pointee.boot_tsc = Clock.bootTSC
        d.pointee.boot_realtime = Clock.bootRealtime
        d.pointee.cpu = 0
        d.pointee.node = 0
        d.pointee.version = UInt32(VDSO_DATA_VERSION)
        compiler_barrier()
        d.pointee.seq &+= 1
    }

    /// Maps [vvar] and [vdso] into `p`'s fresh address space: the vDSO's
    /// address for AT_SYSINFO_EHDR, or 0 (no vDSO; the libcs then make system
    /// calls) when the range is taken.
    static func map(_ p: UnsafeMutablePointer<Process>) -> UInt64 {
        guard imagePages <= maxImagePages, !p.pointee.vmas.overlaps(vvarAddress, end) else { return 0 }
        guard p.pointee.vmas.insert(VMA(start: vvarAddress, end: imageAddress, prot: Prot.read, flags: VMA.vvar)),
              p.pointee.vmas.insert(VMA(start: imageAddress, end: end, prot: Prot.read | Prot.exec, flags: VMA.vdso)) else {
            _ = p.pointee.vmas.carve(vvarAddress, end)
            return 0
        }
        let pml4 = p.pointee.pml4
        var ok = mapBorrowed(pml4, vvarAddress, Physical.ofKernelSymbol(UnsafeRawPointer(data)))
        let image = vdso_image_start_address() &- Physical.kernelVirtualBase
        var i: UInt64 = 0
        while ok && i < imagePages {
            ok = mapBorrowed(pml4, imageAddress + i * Physical.pageSize, image + i * Physical.pageSize)
            i += 1
        }
        guard ok else {
            PageTable.unmap(pml4, vvarAddress, end, flush: false, hugePages: false)
            _ = p.pointee.vmas.carve(vvarAddress, end)
            return 0
        }
        return imageAddress
    }

    /// A read-only user PTE for a kernel-image frame.
    private static func mapBorrowed(_ pml4: UInt64, _ va: UInt64, _ frame: UInt64) -> Bool {
        guard let s = PageTable.slot(pml4, va, create: true) else { return false }
        s.pointee = frame | PTE.present | PTE.user | PageTable.borrowed
        return true
    }
}
