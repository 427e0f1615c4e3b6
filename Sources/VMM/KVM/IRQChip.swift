import CKVM

/// The in-kernel interrupt controllers (KVM_CREATE_IRQCHIP, KVM API doc
/// 4.24: a PIC pair and an IOAPIC now, a LAPIC with each vCPU created after
/// it). KVM then runs the LAPIC timer, delivers its interrupts and handles
/// HLT itself: a halted vCPU sleeps inside KVM_RUN until an interrupt comes,
/// with no exit to the VMM. So a guest that ends with HLT (the test guests)
/// would never stop: the irqchip is created only for a kernel whose ELF note
/// asks for it (VMM_FEATURE_IRQCHIP, vmm_guest_abi.h).
enum IRQChip {
    /// What the machine gets for a kernel asking for `features`.
    enum Decision: Equatable {
        case none                   // not asked for
        case created(tscDeadline: Bool)
        case unavailable            // asked for, but KVM has no KVM_CAP_IRQCHIP
    }

    static func decide(features: UInt32, irqchipCap: Int32, tscDeadlineCap: Int32) -> Decision {
        guard features & UInt32(VMM_FEATURE_IRQCHIP) != 0 else { return .none }
        guard irqchipCap > 0 else { return .unavailable }
        return .created(tscDeadline: tscDeadlineCap > 0)
    }

    /// CPUID.01H:ECX bit 24, TSC-deadline timer mode (Intel SDM Vol. 3A,
    /// 11.5.4.1). KVM_GET_SUPPORTED_CPUID never reports it: userspace sets it
    /// when KVM_CAP_TSC_DEADLINE_TIMER is there (KVM API doc 4.46).
    static func withTSCDeadline(_ entries: [kvm_cpuid_entry2]) -> [kvm_cpuid_entry2] {
        entries.map { e in
            var e = e
            if e.function == 1 { e.ecx |= 1 << 24 }
            return e
        }
    }
}

extension VirtualMachine {
    func createIRQChip() throws {
        _ = try kvmCall("KVM_CREATE_IRQCHIP") { ckvm_create_irqchip(fd) }
    }
}
