/// Minimal ACPI tables for a Linux guest (ACPI 6.x, chapter 5): the RSDP in
/// the BIOS area where Linux's acpi_find_root_pointer scans (16-byte
/// boundaries of 0xe0000-0xfffff), an RSDT and an XSDT naming the FADT and
/// the MADT, the FADT with a PM1a event and control block at I/O ports the
/// VMM serves (ACPIPowerManagement), a FACS, a MADT describing the one local
/// APIC and the IOAPIC of KVM's in-kernel irqchip (the same as the MP
/// table's), and a DSDT holding only `Name (_S5, Package () {5, 5, 0, 0})`,
/// the sleep type Linux writes to PM1a_CNT to power off (§7.4.2).
///
/// Not hardware-reduced ACPI: that would make Linux drop the 8259 PICs and
/// the PIT timer (acpi_reduced_hw_init), which this VMM's Linux boot uses.
enum ACPITables {
    static let rsdpAddress: UInt64 = 0xe_0000
    /// SLP_TYPa of the DSDT's _S5 object: the value the VMM takes for "power off".
    static let s5SleepType: UInt16 = 5
    /// The SCI's ISA interrupt (FADT SCI_INT), as on a PC; never raised here.
    static let sciIRQ: UInt8 = 9
    static let oemID = Array("SWFVMM".utf8)          // 6 bytes
    static let oemTableID = Array("SWIFTVMM".utf8)   // 8 bytes
    static let creatorID = Array("SVMM".utf8)        // 4 bytes

    /// The tables, each at its guest-physical address, all in [rsdpAddress, 1 MiB).
    static func build() -> [(address: UInt64, bytes: [UInt8])] {
        // Layout: each table on a 64-byte boundary (the FACS must be; §5.2.10).
        let rsdt = rsdpAddress + 0x40, xsdt = rsdpAddress + 0x80, fadt = rsdpAddress + 0x100
        let facs = rsdpAddress + 0x240, dsdt = rsdpAddress + 0x280, madt = rsdpAddress + 0x300
        return [
            (rsdpAddress, rsdp(rsdt: UInt32(rsdt), xsdt: xsdt)),
            (rsdt, table("RSDT", revision: 1, le32(UInt32(fadt)) + le32(UInt32(madt)))),
            (xsdt, table("XSDT", revision: 1, le64(fadt) + le64(madt))),
            (fadt, self.fadt(facs: UInt32(facs), dsdt: UInt32(dsdt))),
            (facs, self.facs()),
            (dsdt, table("DSDT", revision: 2, s5AML)),
            (madt, self.madt()),
        ]
    }

    /// Root System Description Pointer, ACPI 2.0+ form (§5.2.5.3): the first
    /// 20 bytes sum to zero, and all 36.
    static func rsdp(rsdt: UInt32, xsdt: UInt64) -> [UInt8] {
        var r = Array("RSD PTR ".utf8) + [0] + oemID + [2] + le32(rsdt) + le32(36) + le64(xsdt) + [0, 0, 0, 0]
        r[8] = MPTable.checksum(Array(r[0..<20]))
        r[32] = MPTable.checksum(r)
        return r
    }

    /// The FADT, revision 6 (§5.2.9, Table 5.9: 276 bytes). Only the 32-bit
    /// block addresses are given (the X_ ones zero: ACPICA then uses these,
    /// with no 32/64-bit mismatch to warn of). SMI_CMD 0: always in ACPI
    /// mode, no SMI to switch.
    static func fadt(facs: UInt32, dsdt: UInt32) -> [UInt8] {
        var f = [UInt8](repeating: 0, count: 276 - headerSize)
        func at(_ offset: Int, _ bytes: [UInt8]) { f.replaceSubrange((offset - headerSize)..<(offset - headerSize + bytes.count), with: bytes) }
        at(36, le32(facs))                                   // FIRMWARE_CTRL
        at(40, le32(dsdt))                                   // DSDT
        at(46, le16(UInt16(sciIRQ)))                         // SCI_INT
        at(56, le32(UInt32(ACPIPowerManagement.eventBlock)))    // PM1a_EVT_BLK
        at(64, le32(UInt32(ACPIPowerManagement.controlBlock)))  // PM1a_CNT_BLK
        at(88, [ACPIPowerManagement.eventBlockLength, ACPIPowerManagement.controlBlockLength])  // PM1_EVT_LEN, PM1_CNT_LEN
        at(96, le16(101) + le16(1001))                       // P_LVL2/3_LAT: C2, C3 not supported
        at(109, le16(bootArchitecture))                      // IAPC_BOOT_ARCH
        at(112, le32(fixedFeatures))                         // Flags
        at(131, [0])                                         // FADT minor version: ACPI 6.0
        return table("FACP", revision: 6, f)
    }

    /// IAPC_BOOT_ARCH (§5.2.9.3): no 8042 (bit 1 clear: Linux then skips
    /// its i8042 probe, ~10,000 port reads of a controller this VMM does not
    /// emulate; its reset command still works), no VGA (bit 2), MSI not
    /// supported (bit 3: no PCI), no CMOS RTC (bit 5: the CMOS reads 0).
    static let bootArchitecture: UInt16 = 1 << 2 | 1 << 3 | 1 << 5
    /// FADT Flags (§5.2.9, Table 5.10): WBINVD works (bit 0), C1 on all
    /// processors (bit 2), the power and sleep buttons are not fixed
    /// features (bits 4, 5: there are none). No reset register: Linux's
    /// reboot falls back to the i8042's reset, status 119.
    static let fixedFeatures: UInt32 = 1 << 0 | 1 << 2 | 1 << 4 | 1 << 5

    /// Firmware ACPI Control Structure (§5.2.10, 64 bytes, no checksum):
    /// no waking vector (no S3), no global lock owner.
    static func facs() -> [UInt8] {
        var f = Array("FACS".utf8) + le32(64) + [UInt8](repeating: 0, count: 56)
        f[32] = 2                                            // Version
        return f
    }

    /// The MADT (§5.2.12): local APIC address, PCAT_COMPAT (the 8259s are
    /// there), one enabled processor local APIC (id 0), the IOAPIC (id 1, GSI
    /// base 0: ISA IRQ n is pin n, as the MP table and KVM's default routing
    /// say), LINT1 as NMI on all processors, and the SCI's override (IRQ 9
    /// level, active high: KVM's IOAPIC inverts an active-low pin, so an idle
    /// SCI line would read asserted).
    static func madt() -> [UInt8] {
        var body = le32(MPTable.localAPIC) + le32(1)                       // PCAT_COMPAT
        body += [0, 8, 0, 0] + le32(1)                                     // Processor Local APIC: UID 0, APIC id 0, enabled
        body += [1, 12, MPTable.ioAPICID, 0] + le32(MPTable.ioAPIC) + le32(0)
        body += [2, 10, 0, sciIRQ] + le32(UInt32(sciIRQ)) + le16(0b11_01)   // Interrupt Source Override: level, active high
        body += [4, 6, 0xff] + le16(0) + [1]                               // Local APIC NMI: all processors, LINT1
        return table("APIC", revision: 4, body)
    }

    /// DefinitionBlock's body: NameOp "_S5_" PackageOp PkgLength(8)
    /// NumElements(4) BytePrefix 5, BytePrefix 5, Zero, Zero (ACPI §20.2.5).
    static let s5AML: [UInt8] = [0x08] + Array("_S5_".utf8) + [0x12, 0x08, 0x04, 0x0a, UInt8(s5SleepType), 0x0a, UInt8(s5SleepType), 0x00, 0x00]

    static let headerSize = 36

    /// A table with the System Description Table Header (§5.2.6) in front
    /// and its checksum set.
    static func table(_ signature: String, revision: UInt8, _ body: [UInt8]) -> [UInt8] {
        var t = Array(signature.utf8) + le32(UInt32(headerSize + body.count)) + [revision, 0]
        t += oemID + oemTableID + le32(1) + creatorID + le32(1)
        t += body
        t[9] = MPTable.checksum(t)
        return t
    }
}
