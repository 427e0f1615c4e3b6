import Testing
@testable import VMM

@Suite struct MemorySizeTests {
    static let valid: [(String, UInt64)] = [
        ("256M", 256 << 20), ("1G", 1 << 30), ("1GiB", 1 << 30), ("2048k", 2 << 20),
        ("64m", 64 << 20), ("4194304", 4 << 20), (" 8M ", 8 << 20), ("64G", 64 << 30),
    ]

    @Test(arguments: valid)
    func parses(_ text: String, _ bytes: UInt64) throws {
        #expect(try MemorySize(parsing: text).bytes == bytes)
    }

    @Test func rejects() {
        #expect(throws: MemorySize.ParseError.malformed("12Q")) { try MemorySize(parsing: "12Q") }
        #expect(throws: MemorySize.ParseError.malformed("")) { try MemorySize(parsing: "") }
        #expect(throws: MemorySize.ParseError.malformed("M")) { try MemorySize(parsing: "M") }
        #expect(throws: MemorySize.ParseError.malformed("-1G")) { try MemorySize(parsing: "-1G") }
        #expect(throws: MemorySize.ParseError.malformed("1.5G")) { try MemorySize(parsing: "1.5G") }
        #expect(throws: MemorySize.ParseError.tooSmall("1M")) { try MemorySize(parsing: "1M") }
        #expect(throws: MemorySize.ParseError.tooLarge("65G")) { try MemorySize(parsing: "65G") }
        #expect(throws: MemorySize.ParseError.tooLarge("99999999999999999999")) { try MemorySize(parsing: "99999999999999999999") }
        #expect(throws: MemorySize.ParseError.tooLarge("17179869184T")) { try MemorySize(parsing: "17179869184T") }
        #expect(throws: MemorySize.ParseError.notMultipleOf2MiB("3M")) { try MemorySize(parsing: "3M") }
    }
}

@Suite struct GuestMemoryTests {
    @Test func checkedAccessNeverTraps() throws {
        let m = try GuestMemory(size: 2 << 20)
        try m.write(UInt32(0xdead_beef), at: (2 << 20) - 4)
        #expect(try m.read(UInt32.self, at: (2 << 20) - 4) == 0xdead_beef)
        #expect(throws: MemoryError.self) { try m.read(UInt32.self, at: (2 << 20) - 3) }
        #expect(throws: MemoryError.self) { try m.read(UInt64.self, at: .max) }
        #expect(throws: MemoryError.self) { try m.readBytes(at: 1, count: Int.max) }
        #expect(throws: MemoryError.self) { try m.readBytes(at: 0, count: -1) }
        #expect(throws: MemoryError.self) { try m.write(bytes: [1, 2], at: .max - 1) }
        #expect(m.contains(0, 2 << 20) && !m.contains(1, 2 << 20))
    }

    @Test func preallocationPopulatesAndLocks() throws {
        let m = try GuestMemory(size: 8 << 20, alignment: 2 << 20)
        #expect(UInt(bitPattern: m.base) % (2 << 20) == 0)
        #expect(m.residentBytes() == 0)
        let report = try Preallocation.prepare(m, PreallocationOptions(prealloc: true, hugePages: true, threads: 2))
        #expect(m.residentBytes() == 8 << 20)
        #expect(report.threads == 2)
    }
}

@Suite struct SerialTests {
    @Test func behavesLikeAnIdle16550() {
        var s = Serial16550()
        #expect(s.read(offset: 5) == 0x60)
        #expect(s.read(offset: 2) == 0x01)
        #expect(s.write(offset: 7, value: 0xa5) == nil)
        #expect(s.read(offset: 7) == 0xa5)
        // DLAB: offsets 0 and 1 become the divisor; THR writes don't transmit.
        _ = s.write(offset: 3, value: 0x83)
        #expect(s.write(offset: 0, value: 0x01) == nil)
        #expect(s.read(offset: 0) == 0x01)
        _ = s.write(offset: 3, value: 0x03)
        #expect(s.write(offset: 0, value: 0x41) == 0x41)
        _ = s.write(offset: 2, value: 0x07)
        #expect(s.read(offset: 2) == 0xc1)
        _ = s.write(offset: 4, value: 0x1f)   // loopback, all outputs on
        #expect(s.read(offset: 6) == 0xf0)
    }
}

@Suite struct KVMKindTests {
    @Test func classifies() {
        #expect(KVMKind.classify(loadedModules: ["kvm_pvm"], cpuFlags: ["vmx"]).isSoftware)
        #expect(KVMKind.classify(loadedModules: ["kvm_intel"], cpuFlags: []) == .hardware(vendor: "Intel VT-x, kvm_intel"))
        #expect(KVMKind.classify(loadedModules: ["kvm_amd"], cpuFlags: []).key == "hardware")
        #expect(KVMKind.classify(loadedModules: [], cpuFlags: ["svm"]) == .hardware(vendor: "AMD SVM"))
        #expect(KVMKind.classify(loadedModules: [], cpuFlags: ["sse2"]) == .unknown)
    }

    @Test func parsesCPUInfo() {
        let info = CPUInfo.parse("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse2 svm\n\nprocessor\t: 1\n")
        #expect(info.modelName == "AMD EPYC 7B13")
        #expect(info.flags == ["fpu", "sse2", "svm"])
    }
}

@Suite struct BinaryStatsTests {
    /// A stats file as KVM lays it out: header, id, descriptors, data.
    static func file(names: [(String, UInt32)], values: [UInt64], nameSize: Int = 48) -> [UInt8] {
        var b: [UInt8] = []
        func u32(_ v: UInt32) { b += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let descOffset = 24 + nameSize
        let dataOffset = descOffset + names.count * (16 + nameSize)
        u32(0); u32(UInt32(nameSize)); u32(UInt32(names.count)); u32(24); u32(UInt32(descOffset)); u32(UInt32(dataOffset))
        b += Array("kvm-1/vcpu-0".utf8) + [UInt8](repeating: 0, count: nameSize - 12)
        for (i, (name, flags)) in names.enumerated() {
            u32(flags); b += [0, 0, 1, 0]; u32(UInt32(i * 8)); u32(0)
            b += Array(name.utf8) + [UInt8](repeating: 0, count: nameSize - name.utf8.count)
        }
        for v in values { b += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        return b
    }

    @Test func parsesLayoutAndValues() throws {
        let f = Self.file(names: [("exits", 0), ("insn_emulation", 0), ("guest_mode", 1)], values: [10, 200, 1])
        let layout = try StatsLayout.parse { o, n in Array(f[min(o, f.count)..<min(o + n, f.count)]) }
        #expect(layout.id == "kvm-1/vcpu-0")
        #expect(layout.descriptors.map(\.name) == ["exits", "insn_emulation", "guest_mode"])
        let data = Array(f[Int(layout.dataOffset)...])
        let values = layout.values(fromData: data)
        #expect(values == ["exits": 10, "insn_emulation": 200, "guest_mode": 1])
        let later = StatsSnapshot(values: ["exits": 15, "insn_emulation": 260, "guest_mode": 0])
        let d = StatsSnapshot.delta(from: StatsSnapshot(values: values), to: later, layout: layout)
        #expect(d.map(\.0) == ["exits", "insn_emulation", "guest_mode"])
        #expect(d.map(\.1) == [5, 60, 0])   // instant values are shown as they are
    }

    @Test func rejectsTruncatedOrAbsurdFiles() {
        let f = Self.file(names: [("exits", 0)], values: [1])
        #expect(throws: KVMError.self) { try StatsLayout.parse { o, n in Array(f[min(o, 10)..<min(o + n, 10)]) } }
        var absurd = f
        absurd[4] = 0xff; absurd[5] = 0xff; absurd[6] = 0xff
        #expect(throws: KVMError.self) { try StatsLayout.parse { o, n in Array(absurd[min(o, absurd.count)..<min(o + n, absurd.count)]) } }
    }
}

@Suite struct JSONTests {
    @Test func serializesAndEscapes() {
        let j = JSON.object([("a", .array([.int(-1), .uint(2), .bool(true), .null])), ("s", .string("q\"\\\n\u{1}é"))])
        #expect(j.serialized(pretty: false) == #"{"a":[-1,2,true,null],"s":"q\"\\\n\u0001é"}"#)
    }
}

@Suite struct TextTests {
    @Test func decimals() {
        #expect(decimal(1234, dividedBy: 1000, decimals: 2) == "1.23")
        #expect(decimal(1235, dividedBy: 1000, decimals: 2) == "1.24")
        #expect(decimal(5, dividedBy: 1000, decimals: 2) == "0.01")
        #expect(decimal(7, dividedBy: 0, decimals: 2) == "-")
        #expect(decimal(.max, dividedBy: 1000, decimals: 2) == String(UInt64.max / 1000))
        #expect(hex(0x3f8, 4) == "03f8")
    }
}

@Suite struct ResidentMemoryTests {
    @Test func splitsPrivateFromFileBackedAndSubtractsGuestRAM() {
        let status = "Name:\tvmm\nVmRSS:\t   75000 kB\nRssAnon:\t   66000 kB\nRssFile:\t    8500 kB\nRssShmem:\t       0 kB\n"
        let r = VMMResidentMemory.parse(status: status, guestResident: 65536 * 1024)
        #expect(r == VMMResidentMemory(privateBytes: 464 * 1024, fileBytes: 8500 * 1024))
        #expect(VMMResidentMemory.parse(status: "Name: x\n", guestResident: 0) == nil)
    }
}

@Suite struct HostHugePagePolicyTests {
    @Test func readsTheBracketedValue() {
        #expect(HostHugePagePolicy.parse("always [madvise] never\n") == "madvise")
        #expect(HostHugePagePolicy.parse("[always] madvise never\n") == "always")
        #expect(HostHugePagePolicy.parse("always madvise [never]") == "never")
        #expect(HostHugePagePolicy.parse("always madvise never") == nil)
        #expect(HostHugePagePolicy.parse("[inherit] always") == nil)     // not a value the kernel knows
        #expect(HostHugePagePolicy.parse("") == nil)
    }
}
