import CKVM
import Glibc

/// Sees a vCPU halted for good inside KVM. With the in-kernel irqchip, HLT
/// does not exit to the VMM (the vCPU blocks in KVM_RUN until an interrupt
/// it may take), so a guest that halts with interrupts off (Linux's halt:
/// kernel/reboot.c turns a power-off with no power-off method, e.g.
/// `acpi=off`, into one, and stop_this_cpu halts with IF clear) would block
/// until --timeout. The main thread samples two of the vCPU's binary
/// statistics (KVM API doc 4.133) every `period`: `blocking` (1 while the
/// vCPU sleeps in kvm_vcpu_block) and `halt_exits` (one per HLT). When one
/// HLT has kept the vCPU blocked for `quiet` seconds, it asks the vCPU thread
/// once (a kick) to read KVM_GET_MP_STATE and RFLAGS: KVM_MP_STATE_HALTED
/// with IF clear is final on this machine (one vCPU, so no INIT or SIPI; the
/// VMM injects no NMI or SMI), and the VM ends (StopReason.haltedInterruptsOff).
/// An idle guest (IF set) costs one kick per HLT that lasts `quiet` seconds.
struct HaltWatch {
    static let period = 0.25
    static let quiet = 1.0

    /// The HLT (its `halt_exits` count) that is being timed, and since when.
    private var halt: UInt64?
    private var since = 0.0
    /// The last HLT the vCPU thread was asked about.
    private var asked: UInt64?

    /// One sample; true: ask the vCPU thread now.
    mutating func observe(blocking: Bool, haltExits: UInt64, now: Double) -> Bool {
        guard blocking else { halt = nil; return false }
        if halt != haltExits { halt = haltExits; since = now }
        guard now - since >= Self.quiet, asked != haltExits else { return false }
        asked = haltExits
        return true
    }

    /// What the vCPU thread found: halted, and nothing can wake it.
    static func isFinal(mpState: Int32, rflags: UInt64) -> Bool {
        mpState == Int32(KVM_MP_STATE_HALTED) && rflags & X86.rflagsIF == 0
    }

    /// The sampler for the main thread, or nil when KVM has not the two statistics.
    static func sampler(_ stats: BinaryStatsReader?) -> (() -> (blocking: Bool, haltExits: UInt64)?)? {
        guard let stats, let b = stats.layout.descriptors.first(where: { $0.name == "blocking" && $0.isScalar }),
              let h = stats.layout.descriptors.first(where: { $0.name == "halt_exits" && $0.isScalar }) else { return nil }
        return {
            guard let blocking = stats.value(b), let halts = stats.value(h) else { return nil }
            return (blocking != 0, halts)
        }
    }
}
