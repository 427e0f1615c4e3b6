import CKVM

/// The vCPU state printed when a guest dies: general registers, control
/// registers, segments, and the bytes at RIP (translated through the guest's
/// own page tables).
struct RegisterDump {
    let regs: kvm_regs
    let sregs: kvm_sregs
    let bytesAtRIP: [UInt8]?

    init(regs: kvm_regs, sregs: kvm_sregs, memory: GuestMemory) {
        self.regs = regs
        self.sregs = sregs
        if let physical = PageWalker.translate(regs.rip, cr0: sregs.cr0, cr3: sregs.cr3, cr4: sregs.cr4,
                                               efer: sregs.efer, memory: memory) {
            // Up to 16 bytes, stopping at the end of RAM.
            let count = memory.contains(physical, 16) ? 16 : Int(memory.size > physical ? memory.size - physical : 0)
            bytesAtRIP = try? memory.readBytes(at: physical, count: count)
        } else {
            bytesAtRIP = nil
        }
    }

    var lines: [String] {
        func f(_ name: String, _ v: UInt64) -> String { rightPad(name, 7) + hex(v, 16) }
        let r = regs, s = sregs
        var out = [
            [f("rip", r.rip), f("rsp", r.rsp), f("rbp", r.rbp), f("rflags", r.rflags)].joined(separator: "  "),
            [f("rax", r.rax), f("rbx", r.rbx), f("rcx", r.rcx), f("rdx", r.rdx)].joined(separator: "  "),
            [f("rsi", r.rsi), f("rdi", r.rdi), f("r8", r.r8), f("r9", r.r9)].joined(separator: "  "),
            [f("r10", r.r10), f("r11", r.r11), f("r12", r.r12), f("r13", r.r13)].joined(separator: "  "),
            [f("r14", r.r14), f("r15", r.r15)].joined(separator: "  "),
            [f("cr0", s.cr0), f("cr2", s.cr2), f("cr3", s.cr3), f("cr4", s.cr4), f("efer", s.efer)].joined(separator: "  "),
            "cs \(hex(s.cs.selector, 4)) (dpl \(s.cs.dpl), l \(s.cs.l))  ss \(hex(s.ss.selector, 4))  ds \(hex(s.ds.selector, 4))"
                + "  tr \(hex(s.tr.selector, 4))  gdt \(hex(s.gdt.base))/\(hex(s.gdt.limit))  idt \(hex(s.idt.base))/\(hex(s.idt.limit))",
        ]
        if let bytes = bytesAtRIP {
            out.append("bytes at rip: " + bytes.map { hex($0, 2) }.joined(separator: " "))
        } else {
            out.append("bytes at rip: (rip is not mapped to guest RAM)")
        }
        return out
    }
}
