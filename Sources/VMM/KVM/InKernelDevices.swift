import CKVM

/// The PC devices KVM emulates in the kernel, which a Linux guest needs:
/// the 8259 PICs, the IOAPIC and each vCPU's local APIC (KVM_CREATE_IRQCHIP,
/// before any vCPU exists), the 8254 PIT (KVM_CREATE_PIT2, after the
/// irqchip), and interrupt lines driven by the VMM's own devices
/// (KVM_IRQ_LINE). KVM API doc 4.24, 4.25, 4.79.
extension VirtualMachine {
    func createIRQChip() throws {
        _ = try kvmCall("KVM_CREATE_IRQCHIP") { ckvm_create_irqchip(fd) }
    }

    func createPIT2() throws {
        _ = try kvmCall("KVM_CREATE_PIT2") { ckvm_create_pit2(fd) }
    }

    /// Intel VT-x needs three pages for real-mode emulation (KVM API doc
    /// 4.48); kvm_amd accepts and ignores it. Above RAM, below the IOAPIC,
    /// where QEMU puts it.
    func setTSSAddress(_ address: UInt64) throws {
        _ = try kvmCall("KVM_SET_TSS_ADDR") { ckvm_set_tss_addr(fd, UInt(address)) }
    }

    /// Sets an ISA interrupt line (GSI < 16: both PICs and the IOAPIC pin).
    /// Called from the vCPU thread, allowed by its seccomp filter.
    func setIRQLine(_ irq: UInt32, high: Bool) -> Bool {
        ckvm_irq_line(fd, irq, high ? 1 : 0) == 0
    }
}
