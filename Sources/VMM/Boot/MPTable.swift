/// An Intel MultiProcessor Specification 1.4 table (chapter 4) telling Linux
/// where its local APIC and the IOAPIC are and how the ISA interrupts reach
/// the IOAPIC: KVM's in-kernel irqchip, one vCPU. Placed in the last KiB of
/// conventional memory, where Linux's smp_scan_config looks (mpparse.c).
enum MPTable {
    static let address: UInt64 = 0x9fc00
    static let localAPIC: UInt32 = 0xfee0_0000
    static let ioAPIC: UInt32 = 0xfec0_0000
    static let ioAPICID: UInt8 = 1
    static let isaIRQs = 16

    static func build(cpuSignature: UInt32, cpuFeatures: UInt32) -> [UInt8] {
        var entries: [UInt8] = []
        // Processor (type 0): APIC id 0, version 0x14, enabled + bootstrap.
        entries += [0, 0, 0x14, 0x03] + le32(cpuSignature) + le32(cpuFeatures) + [UInt8](repeating: 0, count: 8)
        // Bus (type 1): bus 0 is ISA.
        entries += [1, 0] + Array("ISA   ".utf8)
        // I/O APIC (type 2): version 0x11, enabled.
        entries += [2, ioAPICID, 0x11, 0x01] + le32(ioAPIC)
        // I/O interrupt assignments (type 3): ISA IRQ n -> IOAPIC pin n,
        // conforming polarity and trigger (edge, active high for ISA).
        for irq in 0..<UInt8(isaIRQs) { entries += [3, 0, 0, 0, 0, irq, ioAPICID, irq] }
        // Local interrupt assignments (type 4): LINT0 ExtINT, LINT1 NMI (all APICs).
        entries += [4, 3, 0, 0, 0, 0, 0xff, 0]
        entries += [4, 1, 0, 0, 0, 0, 0xff, 1]
        let entryCount = UInt16(1 + 1 + 1 + isaIRQs + 2)

        let tableAddress = UInt32(address) + 16
        var header: [UInt8] = Array("PCMP".utf8)
        header += le16(UInt16(44 + entries.count)) + [4, 0]          // length, spec 1.4, checksum
        header += Array("VMM     ".utf8) + Array("SWIFT-VMM   ".utf8)   // OEM id (8), product id (12)
        header += le32(0) + le16(0) + le16(entryCount) + le32(localAPIC) + le16(0) + [0, 0]
        var table = header + entries
        table[7] = checksum(table)

        var floating: [UInt8] = Array("_MP_".utf8) + le32(tableAddress) + [1, 4, 0] + [0, 0, 0, 0, 0]
        floating[10] = checksum(floating)
        return floating + table
    }

    /// The byte that makes the sum of all bytes zero.
    static func checksum(_ bytes: [UInt8]) -> UInt8 {
        0 &- bytes.reduce(0, &+)
    }
}
