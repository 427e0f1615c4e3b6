import CKVM

/// The vCPU state at the kernel's entry: 64-bit long mode, paging on, flat
/// segments, RDI = boot info (SDM Vol. 3A 9.8.5 "Initializing IA-32e Mode",
/// done for the guest by setting the end state directly).
enum LongMode {
    static let cr0: X86.CR0 = [.pe, .mp, .et, .ne, .wp, .pg]
    static let cr4: X86.CR4 = [.pae, .osfxsr, .osxmmexcpt]
    static let efer: X86.EFER = [.lme, .lma]

    static func codeSegment() -> kvm_segment {
        kvm_segment(base: 0, limit: 0xffff_ffff, selector: X86.kernelCS, type: 11, present: 1, dpl: 0,
                    db: 0, s: 1, l: 1, g: 1, avl: 0, unusable: 0, padding: 0)
    }

    static func dataSegment() -> kvm_segment {
        kvm_segment(base: 0, limit: 0xffff_ffff, selector: X86.kernelDS, type: 3, present: 1, dpl: 0,
                    db: 1, s: 1, l: 0, g: 1, avl: 0, unusable: 0, padding: 0)
    }

    /// Applies the long-mode state on top of what KVM_GET_SREGS returned
    /// (keeps apic_base and the interrupt bitmap as KVM set them).
    static func specialRegisters(from base: kvm_sregs) -> kvm_sregs {
        var s = base
        s.cs = codeSegment()
        let data = dataSegment()
        s.ds = data; s.es = data; s.fs = data; s.gs = data; s.ss = data
        // Busy 64-bit TSS (type 11), as after LTR.
        s.tr = kvm_segment(base: X86.tssAddress, limit: X86.tssLimit, selector: X86.tssSelector, type: 11,
                           present: 1, dpl: 0, db: 0, s: 0, l: 0, g: 0, avl: 0, unusable: 0, padding: 0)
        s.ldt = kvm_segment(base: 0, limit: 0xffff, selector: 0, type: 2, present: 1, dpl: 0,
                            db: 0, s: 0, l: 0, g: 0, avl: 0, unusable: 1, padding: 0)
        s.gdt = kvm_dtable(base: X86.gdtAddress, limit: UInt16(X86.gdtEntries * 8 - 1), padding: (0, 0, 0))
        s.idt = kvm_dtable(base: 0, limit: 0, padding: (0, 0, 0))   // the kernel brings its own
        s.cr0 = cr0.rawValue
        s.cr3 = X86.pml4Address
        s.cr4 = cr4.rawValue
        s.efer = efer.rawValue
        return s
    }

    static func registers(entry: UInt64) -> kvm_regs {
        var r = kvm_regs()
        r.rip = entry
        r.rsp = X86.bootStackTop
        r.rdi = X86.bootInfoAddress
        r.rflags = X86.rflagsReserved   // IF clear: no interrupts until the kernel is ready
        return r
    }
}
