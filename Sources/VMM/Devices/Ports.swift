import CKVM

/// The guest's port map (values from vmm_guest_abi.h, documented in the README).
enum Ports {
    static let com1 = UInt16(VMM_PORT_COM1)
    static let null = UInt16(VMM_PORT_NULL)
    static let exit = UInt16(VMM_PORT_EXIT)
    static let hypercall = UInt16(VMM_PORT_HYPERCALL)
}
