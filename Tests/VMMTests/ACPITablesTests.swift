import Testing
@testable import VMM

/// The ACPI tables a Linux guest gets (ACPITables), read back as Linux's
/// ACPICA reads them: the RSDP found by the BIOS-area scan, every table's
/// length and checksum (ACPI 6.x §5.2), the FADT's PM1a blocks, the MADT
/// agreeing with the MP table, and the DSDT's _S5.
@Suite struct ACPITablesTests {
    static let base = 0xe_0000
    /// Guest memory [0xe0000, 1 MiB) with the tables in it.
    static let area: [UInt8] = {
        var a = [UInt8](repeating: 0, count: 0x10_0000 - base)
        for t in ACPITables.build() {
            let o = Int(t.address) - base
            a.replaceSubrange(o..<(o + t.bytes.count), with: t.bytes)
        }
        return a
    }()

    static func table(at address: UInt64) -> [UInt8] {
        let o = Int(address) - base
        return Array(area[o..<(o + Int(area.u32(o + 4)))])
    }

    /// acpi_find_root_pointer: "RSD PTR " on a 16-byte boundary whose first 20 bytes sum to 0.
    static func scanForRSDP() -> [Int] {
        stride(from: 0, to: area.count - 36, by: 16).filter {
            Array(area[$0..<($0 + 8)]) == Array("RSD PTR ".utf8) && area[$0..<($0 + 20)].reduce(0, &+) == 0
        }
    }

    @Test func tablesLieInTheBIOSAreaWithoutOverlapping() {
        let tables = ACPITables.build().sorted { $0.address < $1.address }
        for (i, t) in tables.enumerated() {
            #expect(t.address >= 0xe_0000 && t.address + UInt64(t.bytes.count) <= 0x10_0000)
            if i + 1 < tables.count { #expect(t.address + UInt64(t.bytes.count) <= tables[i + 1].address) }
        }
        // The e820 map reserves them from Linux's RAM.
        let reserved = ZeroPage.e820(ramSize: 128 << 20).filter { $0.type == ZeroPage.E820Entry.reserved }
        #expect(reserved.contains { $0.address <= 0xe_0000 && $0.address + $0.size >= 0x10_0000 })
    }

    @Test func theScanFindsOneRSDPAndItsChecksumsAreRight() {
        #expect(Self.scanForRSDP() == [0])
        let r = Array(Self.area[0..<36])
        #expect(r[15] == 2)                                     // revision: ACPI 2.0+ (XSDT)
        #expect(r.u32(20) == 36)                                // length
        #expect(r.reduce(0, &+) == 0)                           // extended checksum
        #expect(Self.table(at: UInt64(r.u32(16))).prefix(4).elementsEqual("RSDT".utf8))
        #expect(Self.table(at: r.u64(24)).prefix(4).elementsEqual("XSDT".utf8))
    }

    @Test func everyTableHasItsLengthAndASumOfZero() {
        for t in ACPITables.build() where t.address != ACPITables.rsdpAddress {
            let name = String(decoding: t.bytes.prefix(4), as: UTF8.self)
            #expect(Int(t.bytes.u32(4)) == t.bytes.count, "\(name)")
            if name != "FACS" { #expect(t.bytes.reduce(0, &+) == 0, "\(name) checksum") }   // the FACS has none (§5.2.10)
        }
    }

    @Test func rsdtAndXsdtNameTheFADTAndTheMADT() {
        let r = Array(Self.area[0..<36])
        let rsdt = Self.table(at: UInt64(r.u32(16))), xsdt = Self.table(at: r.u64(24))
        let viaRSDT = stride(from: 36, to: rsdt.count, by: 4).map { UInt64(rsdt.u32($0)) }
        let viaXSDT = stride(from: 36, to: xsdt.count, by: 8).map { xsdt.u64($0) }
        #expect(viaRSDT == viaXSDT)
        #expect(viaXSDT.map { String(decoding: Self.table(at: $0).prefix(4), as: UTF8.self) } == ["FACP", "APIC"])
    }

    static func fadt() -> [UInt8] {
        let xsdt = table(at: area.u64(24))
        return table(at: xsdt.u64(36))
    }

    @Test func fadtNamesThePM1aBlocksTheVMMServes() {
        let f = Self.fadt()
        #expect(f.count == 276 && f[8] == 6)                    // revision 6 (ACPI 6.x)
        #expect(Self.table(at: UInt64(f.u32(36))).prefix(4).elementsEqual("FACS".utf8))
        #expect(f.u32(36) % 64 == 0)                            // the FACS is 64-byte aligned
        #expect(Self.table(at: UInt64(f.u32(40))).prefix(4).elementsEqual("DSDT".utf8))
        #expect(f.u16(46) == 9)                                 // SCI_INT
        #expect(f.u32(48) == 0)                                 // SMI_CMD: always in ACPI mode
        #expect(f.u32(56) == UInt32(ACPIPowerManagement.eventBlock) && f[88] == 4)
        #expect(f.u32(64) == UInt32(ACPIPowerManagement.controlBlock) && f[89] == 2)
        #expect(f.u32(76) == 0 && f.u32(80) == 0)               // no PM timer, no GPE block
        #expect(f.u16(109) & 0x2 == 0)                          // IAPC_BOOT_ARCH: no 8042
        #expect(f.u32(112) & (1 << 20) == 0)                    // not HW_REDUCED_ACPI
        #expect(f.u32(112) & (1 << 10) == 0)                    // no reset register: reboot goes through the i8042
        for x in stride(from: 132, to: 268, by: 4) { #expect(f.u32(x) == 0, "X_ field at \(x)") }
    }

    /// The MADT's entries as (type, bytes).
    static func madtEntries() -> (header: [UInt8], entries: [(UInt8, [UInt8])]) {
        let xsdt = table(at: area.u64(24))
        let m = table(at: xsdt.u64(44))
        var entries: [(UInt8, [UInt8])] = []
        var o = 44
        while o + 2 <= m.count {
            let len = Int(m[o + 1])
            guard len >= 2, o + len <= m.count else { break }
            entries.append((m[o], Array(m[o..<(o + len)])))
            o += len
        }
        #expect(o == m.count, "the entries fill the MADT exactly")
        return (m, entries)
    }

    @Test func madtAgreesWithTheMPTable() {
        let (m, entries) = Self.madtEntries()
        let mp = Array(MPTable.build(cpuSignature: 0x800f12, cpuFeatures: 0x178bfbff)[16...])
        #expect(m.u32(36) == mp.u32(36))                       // the local APIC's address
        #expect(m.u32(40) & 1 == 1)                             // PCAT_COMPAT: the 8259s are there
        let cpus = entries.filter { $0.0 == 0 }
        #expect(cpus.count == 1 && cpus[0].1 == [0, 8, 0, 0, 1, 0, 0, 0])   // APIC id 0, enabled
        let ioapics = entries.filter { $0.0 == 1 }
        // The MP table's I/O APIC entry (type 2) at 44 + 20 (processor) + 8 (bus).
        let mpIOAPIC = Array(mp[72..<80])
        #expect(mpIOAPIC[0] == 2)
        #expect(ioapics.count == 1)
        #expect(ioapics[0].1[2] == mpIOAPIC[1])                 // the same IOAPIC id
        #expect(ioapics[0].1.u32(4) == mpIOAPIC.u32(4))         // the same address
        #expect(ioapics[0].1.u32(8) == 0)                       // GSI base 0: ISA IRQ n is pin n, as in the MP table
        // The only override is the SCI's, level and active high; the timer
        // (IRQ 0) and COM1 (IRQ 4) keep the identity the MP table gives them.
        let overrides = entries.filter { $0.0 == 2 }
        #expect(overrides.count == 1 && overrides[0].1 == [2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0])
        #expect(entries.contains { $0.1 == [4, 6, 0xff, 0, 0, 1] })   // LINT1 is NMI, as in the MP table
    }

    @Test func dsdtHoldsTheS5Package() {
        let d = Self.table(at: UInt64(Self.fadt().u32(40)))
        let aml = Array(d[36...])
        // NameOp "_S5_" PackageOp PkgLength NumElements BytePrefix SLP_TYPa ...
        #expect(Array(aml[0..<6]) == [0x08] + Array("_S5_".utf8) + [0x12])
        #expect(Int(aml[6]) == aml.count - 6)                   // PkgLength covers the rest of the block
        #expect(aml[7] == 4 && aml[8] == 0x0a && UInt16(aml[9]) == ACPITables.s5SleepType)
    }
}

@Suite struct ACPIPowerManagementTests {
    /// ACPICA's legacy sleep (hwsleep.c) writes PM1a_CNT twice: SLP_TYP, then SLP_TYP | SLP_EN.
    @Test func linuxsPowerOffSequenceEntersS5() {
        var pm = ACPIPowerManagement()
        func write(_ port: UInt16, _ size: Int, _ value: UInt32) -> Bool { pm.write(port: port, size: size, value: value) }
        let typ = ACPITables.s5SleepType << 10
        #expect(!write(0x604, 2, UInt32(typ)))
        #expect(pm.read(port: 0x604, size: 2) == UInt32(typ | 1))   // SCI_EN reads 1
        #expect(write(0x604, 2, UInt32(typ | 1 << 13)))
        #expect(pm.read(port: 0x604, size: 2) & (1 << 13) == 0)     // SLP_EN reads 0
    }

    @Test func otherSleepTypesAndByteWrites() {
        var pm = ACPIPowerManagement()
        func write(_ port: UInt16, _ size: Int, _ value: UInt32) -> Bool { pm.write(port: port, size: size, value: value) }
        #expect(!write(0x604, 2, 1 << 10 | 1 << 13))     // S1's type: not ours, ignored
        #expect(!write(0x604, 1, 0))
        #expect(write(0x605, 1, UInt32(ACPITables.s5SleepType) << 2 | 1 << 5))   // the high byte alone
        #expect(write(0x604, 4, 0x3400))                  // a wider access, clipped at the block's end
        #expect(pm.read(port: 0x605, size: 2) == 0xff14)                        // 0x606 is past the block
    }

    @Test func enableReadsBackAndStatusReadsZero() {
        var pm = ACPIPowerManagement()
        func write(_ port: UInt16, _ size: Int, _ value: UInt32) -> Bool { pm.write(port: port, size: size, value: value) }
        #expect(!write(0x602, 2, 0x0120))
        #expect(pm.read(port: 0x602, size: 2) == 0x0120)
        #expect(!write(0x600, 2, 0xffff))                // write-1-to-clear
        #expect(pm.read(port: 0x600, size: 4) == 0x0120_0000)
    }

    @Test func theDispatcherEndsTheVMWithStatusZero() throws {
        let host = PCDeviceTests.Host()
        var d = ExitDispatcher(console: CapturedConsole(), memory: try GuestMemory(size: 2 << 20), host: host)
        func out(_ value: UInt16) -> ExitAction {
            withIO([UInt8(value & 0xff), UInt8(value >> 8)]) { d.handle(.ioOut(port: 0x604, size: 2, count: 1, data: $0)) }
        }
        #expect(out(0x3400) == .stop(.unknownPort(port: 0x604, size: 2, isWrite: true, value: 0x3400)))   // not a PC without pcDevices
        d.pcDevices = true
        #expect(out(0x1400) == .resume)
        #expect(withIO([0, 0]) { d.handle(.ioIn(port: 0x604, size: 2, count: 1, data: $0)) } == .resumeWithInput(0x1401))
        #expect(out(0x3400) == .stop(.powerOff))
        #expect(StopReason.powerOff.exitStatus == 0)
        #expect(!StopReason.powerOff.wantsRegisterDump)
        #expect(StopReason.powerOff.message == "guest powered off (ACPI S5: SLP_TYP 5 with SLP_EN written to PM1a_CNT, port 0x604)")
    }
}
