import KernelSupport

/// The kernel's GDT (Linux's selector layout, vmm_guest_abi.h), 64-bit TSS and
/// IDT (Intel SDM Vol. 3A, 3.4.5, 7.7, 6.14.1), in one frame each.
enum Descriptors {
    nonisolated(unsafe) static var tss = UnsafeMutableRawPointer(bitPattern: 0)

    static func install() -> Bool {
        guard let gdtFrame = FrameAllocator.allocate(), let idtFrame = FrameAllocator.allocate() else { return false }
        let gdt: UnsafeMutablePointer<UInt64> = Physical.pointer(gdtFrame)
        gdt[1] = 0x00cf_9b00_0000_ffff      // 0x08 kernel code, 32-bit (unused)
        gdt[2] = 0x00af_9b00_0000_ffff      // 0x10 kernel code, 64-bit
        gdt[3] = 0x00cf_9300_0000_ffff      // 0x18 kernel data
        gdt[4] = 0x00cf_fb00_0000_ffff      // 0x23 user code, 32-bit
        gdt[5] = 0x00cf_f300_0000_ffff      // 0x2b user data
        gdt[6] = 0x00af_fb00_0000_ffff      // 0x33 user code, 64-bit
        // TSS after the 16-byte descriptor at 0x40 (entries 8 and 9).
        let tssRaw = UnsafeMutableRawPointer(gdt + 16)
        let base = UInt64(UInt(bitPattern: tssRaw))
        let limit: UInt64 = 103
        gdt[8] = (limit & 0xffff) | ((base & 0xff_ffff) << 16) | (0x89 << 40) | (((base >> 24) & 0xff) << 56)
        gdt[9] = base >> 32
        tssRaw.storeBytes(of: kernel_stack_top_address(), toByteOffset: 4, as: UInt64.self)
        tssRaw.storeBytes(of: df_stack_top_address(), toByteOffset: 36, as: UInt64.self)
        tssRaw.storeBytes(of: UInt16(104), toByteOffset: 102, as: UInt16.self)   // no I/O bitmap
        tss = tssRaw

        var gdtr = table_pointer(limit: UInt16(10 * 8 - 1), base: UInt64(UInt(bitPattern: gdt)))
        load_gdt(&gdtr)
        ltr(UInt16(VMM_SEL_TSS))

        let idt: UnsafeMutablePointer<UInt64> = Physical.pointer(idtFrame)
        for v in 0..<256 {
            let handler = v < 32 ? isr_stub_address(UInt32(v))
                : UInt64(v) == LAPIC.timerVector ? timer_entry_address()
                : UInt64(v) == PIC.consoleVector ? console_irq_entry_address()
                : UInt64(v) == LAPIC.spuriousVector ? spurious_entry_address() : 0
            if handler == 0 { idt[2 * v] = 0; idt[2 * v + 1] = 0; continue }   // not present: #GP if raised
            let ist: UInt64 = v == 8 ? 1 : 0                 // #DF on its own stack
            let dpl: UInt64 = v == 3 || v == 4 ? 3 : 0        // int3/into allowed from ring 3
            let attr: UInt64 = 0x8e | (dpl << 5)              // present, 64-bit interrupt gate
            idt[2 * v] = (handler & 0xffff) | (UInt64(VMM_SEL_KERNEL_CS) << 16) | (ist << 32)
                | (attr << 40) | (((handler >> 16) & 0xffff) << 48)
            idt[2 * v + 1] = handler >> 32
        }
        var idtr = table_pointer(limit: UInt16(256 * 16 - 1), base: UInt64(UInt(bitPattern: idt)))
        lidt(&idtr)
        return true
    }

    static func setKernelStack(_ top: UInt64) {
        tss?.storeBytes(of: top, toByteOffset: 4, as: UInt64.self)
    }
}
