import CKVM

/// The guest's port map (values from vmm_guest_abi.h, documented in the README).
enum Ports {
    static let com1 = UInt16(VMM_PORT_COM1)
    static let null = UInt16(VMM_PORT_NULL)
    static let exit = UInt16(VMM_PORT_EXIT)
    static let hypercall = UInt16(VMM_PORT_HYPERCALL)
    static let mark = UInt16(VMM_PORT_MARK)

    // PC devices a Linux guest touches (served only when `pcDevices` is on).
    /// i8042 keyboard controller: data, and status (read) / command (write).
    static let i8042Data: UInt16 = 0x60
    static let i8042Command: UInt16 = 0x64
    /// The i8042 command that pulses the CPU's reset line (Linux's reboot=k).
    static let i8042Reset: UInt8 = 0xfe
    /// CMOS RTC index and data: reads see 0 (no RTC; Linux then skips it).
    static let cmosIndex: UInt16 = 0x70
    static let cmosData: UInt16 = 0x71
}
