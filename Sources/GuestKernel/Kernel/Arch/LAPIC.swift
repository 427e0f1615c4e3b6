import KernelSupport

/// The local APIC's timer, through x2APIC MSRs (Intel SDM Vol. 3A, 11.12:
/// one wrmsr per register, no MMIO page to map; emulated ring 0 handles
/// wrmsr). Present only when the VMM created the in-kernel irqchip (boot flag
/// VMM_BOOT_FLAG_IRQCHIP) and CPUID offers x2APIC. TSC-deadline mode (11.5.4.1)
/// where CPUID offers it: the deadline is a TSC value, as the scheduler's
/// are; else one-shot mode counting KVM's 1 GHz APIC bus (divide by 1).
enum LAPIC {
    static let apicBase: UInt32 = 0x1b         // IA32_APIC_BASE: bit 11 enable, bit 10 x2APIC
    static let eoi: UInt32 = 0x80b
    static let spurious: UInt32 = 0x80f        // bit 8: APIC software enable
    static let lvtTimer: UInt32 = 0x832
    static let initialCount: UInt32 = 0x838
    static let divide: UInt32 = 0x83e
    static let tscDeadlineMSR: UInt32 = 0x6e0  // IA32_TSC_DEADLINE

    static let timerVector: UInt64 = 32
    static let spuriousVector: UInt64 = 0xff

    nonisolated(unsafe) static var present = false
    nonisolated(unsafe) static var tscDeadline = false

    static func initialize(irqchip: Bool) {
        var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0
        cpuid(1, 0, &a, &b, &c, &d)
        guard irqchip, c & (1 << 21) != 0 else { return }          // CPUID.01H:ECX.x2APIC
        tscDeadline = c & (1 << 24) != 0
        wrmsr(apicBase, rdmsr(apicBase) | (1 << 11) | (1 << 10))
        wrmsr(spurious, 0x100 | spuriousVector)
        wrmsr(lvtTimer, timerVector | (tscDeadline ? 2 << 17 : 0))   // TSC-deadline or one-shot
        if !tscDeadline { wrmsr(divide, 0xb) }                       // divide by 1
        present = true
    }

    /// One interrupt at TSC `deadline` (Timers.none: none). Writing 0 disarms
    /// both modes; a deadline already passed fires at once.
    static func arm(_ deadline: UInt64) {
        if tscDeadline { wrmsr(tscDeadlineMSR, deadline == Timers.none ? 0 : deadline); return }
        if deadline == Timers.none { wrmsr(initialCount, 0); return }
        let ns = Clock.nanoseconds(until: deadline)
        wrmsr(initialCount, ns == 0 ? 1 : min(ns, 0xffff_ffff))    // 32-bit counter: a longer wait re-arms
    }

    @inline(__always) static func endOfInterrupt() { wrmsr(eoi, 0) }
}
