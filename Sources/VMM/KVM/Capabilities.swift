import CKVM

/// The capabilities this VMM asks about, named as in the KVM API doc (section 8).
struct Capability {
    let name: String
    let number: Int32

    static let immediateExit = Capability(name: "IMMEDIATE_EXIT", number: Int32(CKVM_CAP_IMMEDIATE_EXIT))
    static let getTSCKHz = Capability(name: "GET_TSC_KHZ", number: Int32(CKVM_CAP_GET_TSC_KHZ))
    static let binaryStatsFD = Capability(name: "BINARY_STATS_FD", number: Int32(CKVM_CAP_BINARY_STATS_FD))
    static let preFaultMemory = Capability(name: "PRE_FAULT_MEMORY", number: Int32(CKVM_CAP_PRE_FAULT_MEMORY))
    static let userMemory2 = Capability(name: "USER_MEMORY2", number: Int32(CKVM_CAP_USER_MEMORY2))
    static let guestMemFD = Capability(name: "GUEST_MEMFD", number: Int32(CKVM_CAP_GUEST_MEMFD))
    static let nrVCPUs = Capability(name: "NR_VCPUS", number: Int32(CKVM_CAP_NR_VCPUS))
    static let maxVCPUs = Capability(name: "MAX_VCPUS", number: Int32(CKVM_CAP_MAX_VCPUS))
    static let nrMemslots = Capability(name: "NR_MEMSLOTS", number: Int32(CKVM_CAP_NR_MEMSLOTS))
    static let x86DisableExits = Capability(name: "X86_DISABLE_EXITS", number: Int32(CKVM_CAP_X86_DISABLE_EXITS))
    static let syncRegs = Capability(name: "SYNC_REGS", number: Int32(CKVM_CAP_SYNC_REGS))
    static let irqchip = Capability(name: "IRQCHIP", number: Int32(CKVM_CAP_IRQCHIP))
    static let tscDeadlineTimer = Capability(name: "TSC_DEADLINE_TIMER", number: Int32(CKVM_CAP_TSC_DEADLINE_TIMER))

    /// The ones `vmm info` lists.
    static let reported: [Capability] = [
        immediateExit, getTSCKHz, binaryStatsFD, preFaultMemory, userMemory2, guestMemFD,
        nrVCPUs, maxVCPUs, nrMemslots, x86DisableExits, syncRegs, irqchip, tscDeadlineTimer,
    ]
}
