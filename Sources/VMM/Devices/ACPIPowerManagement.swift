/// The ACPI fixed hardware a Linux guest powers off through (ACPI 6.x
/// §4.8.3): the PM1a event block (PM1_STS, PM1_EN, 16 bits each) at 0x600
/// and the PM1a control block (PM1_CNT, 16 bits) at 0x604, named by the
/// FADT (ACPITables). Writing PM1_CNT with SLP_EN (bit 13) and SLP_TYP
/// (bits 10-12) equal to the DSDT's _S5 value enters S5, soft off: the VM
/// ends. Accesses of any width at any of the six ports are taken byte by
/// byte, as the chipset's registers would.
struct ACPIPowerManagement {
    static let eventBlock: UInt16 = 0x600
    static let eventBlockLength: UInt8 = 4
    static let controlBlock: UInt16 = 0x604
    static let controlBlockLength: UInt8 = 2
    static let ports = eventBlock..<(controlBlock + UInt16(controlBlockLength))

    /// PM1_CNT bits (§4.8.3.2.1, Table 4.13).
    static let sciEnable: UInt16 = 1 << 0
    static let sleepTypeShift: UInt16 = 10
    static let sleepTypeMask: UInt16 = 0x7
    static let sleepEnable: UInt16 = 1 << 13

    private(set) var enable: UInt16 = 0
    /// PM1_CNT as written, without SLP_EN (write-only, reads 0).
    private(set) var control: UInt16 = 0

    /// A read of `size` bytes at `port` (in `ports`). PM1_STS reads 0: no
    /// event is ever pending here. SCI_EN reads 1: with no SMI_CMD in the
    /// FADT the machine is always in ACPI mode (§4.8.2.5).
    func read(port: UInt16, size: Int) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<min(size, 4) {
            let (p, overflow) = port.addingReportingOverflow(UInt16(i))
            let byte: UInt8
            if !overflow, let (register, shift) = Self.lane(p) {
                let value = register == 1 ? enable : register == 2 ? control | Self.sciEnable : 0
                byte = UInt8(truncatingIfNeeded: value >> shift)
            } else {
                byte = 0xff        // past the block: an empty bus
            }
            v |= UInt32(byte) << (8 * UInt32(i))
        }
        return v
    }

    /// A write of `size` bytes of `value` at `port`; true when it enters S5.
    mutating func write(port: UInt16, size: Int, value: UInt32) -> Bool {
        var powerOff = false
        for i in 0..<min(size, 4) {
            let (p, overflow) = port.addingReportingOverflow(UInt16(i))
            guard !overflow, let (register, shift) = Self.lane(p) else { continue }
            let mask: UInt16 = 0xff << shift
            let bits = (UInt16(truncatingIfNeeded: value >> (8 * UInt32(i))) & 0xff) << shift
            switch register {
            case 0: break                  // PM1_STS: write 1 to clear; nothing is ever set
            case 1: enable = enable & ~mask | bits
            default:
                let c = control & ~mask | bits
                if c & Self.sleepEnable != 0, c >> Self.sleepTypeShift & Self.sleepTypeMask == ACPITables.s5SleepType {
                    powerOff = true
                }
                control = c & ~Self.sleepEnable
            }
        }
        return powerOff
    }

    /// Which 16-bit register (0 PM1_STS, 1 PM1_EN, 2 PM1_CNT) a port is a
    /// byte of, and that byte's shift.
    private static func lane(_ port: UInt16) -> (Int, UInt16)? {
        guard ports.contains(port) else { return nil }
        let offset = port - eventBlock
        return (Int(offset / 2), (offset & 1) * 8)
    }
}
