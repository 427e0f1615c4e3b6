import CKVM
import Testing
@testable import VMM

@Suite struct PageTableTests {
    @Test func identityAndHighHalfFor3GiB() {
        let ram: UInt64 = 3 << 30
        let pages = BootPageTables.build(ramSize: ram)
        #expect(pages.count == 3 + 3)
        let pml4 = pages[0], low = pages[1], high = pages[2]
        #expect(pml4.address == 0x4000)
        #expect(pml4.entries[0] == 0x5000 | 0x3)
        #expect(pml4.entries[511] == 0x6000 | 0x3)
        #expect(pml4.entries[1...510].allSatisfy { $0 == 0 })
        #expect(low.entries[0] == 0x7000 | 0x3)
        #expect(low.entries[2] == 0x9000 | 0x3)
        #expect(low.entries[3] == 0)
        #expect(high.entries[510] == 0x7000 | 0x3)
        #expect(high.entries[511] == 0x8000 | 0x3)
        // PD 1 entry 5 maps 1 GiB + 10 MiB with a 2 MiB page (P|W|PS).
        #expect(pages[4].entries[5] == (1 << 30) + (10 << 20) | 0x83)
    }

    @Test func partialLastGiBLeavesTheRestUnmapped() {
        let pages = BootPageTables.build(ramSize: 64 << 20)
        let pd = pages[3]
        #expect(pd.entries[31] == (62 << 20) | 0x83)
        #expect(pd.entries[32] == 0)
        #expect(pages[2].entries[511] == 0)     // no second GiB to map high
    }

    @Test func translateMatchesTheTables() {
        let ram: UInt64 = 64 << 20
        #expect(BootPageTables.translate(virtual: 0x10_0000, ramSize: ram) == 0x10_0000)
        #expect(BootPageTables.translate(virtual: 0xffff_ffff_8010_0000, ramSize: ram) == 0x10_0000)
        #expect(BootPageTables.translate(virtual: ram, ramSize: ram) == nil)
        #expect(BootPageTables.translate(virtual: 0xffff_ffff_8000_0000 + ram, ramSize: ram) == nil)
    }

    @Test func theLargestRAMStillFitsBelowTheStack() {
        #expect(BootPageTables.end(ramSize: BootPageTables.maxRAM) <= X86.bootStackTop - 0x1000)
    }

    @Test func walkerFollowsTheBootTables() throws {
        let memory = try GuestMemory(size: 64 << 20)
        for p in BootPageTables.build(ramSize: memory.size) {
            try p.entries.withUnsafeBytes { try memory.write(bytes: $0, at: p.address) }
        }
        let s = LongMode.specialRegisters(from: kvm_sregs())
        #expect(PageWalker.translate(0xffff_ffff_8012_3456, cr0: s.cr0, cr3: s.cr3, cr4: s.cr4, efer: s.efer,
                                     memory: memory) == 0x12_3456)
        #expect(PageWalker.translate(0x5000_0000, cr0: s.cr0, cr3: s.cr3, cr4: s.cr4, efer: s.efer,
                                     memory: memory) == nil)
        // A CR3 outside RAM gives nil, not a trap.
        #expect(PageWalker.translate(0x1000, cr0: s.cr0, cr3: 1 << 40, cr4: s.cr4, efer: s.efer, memory: memory) == nil)
    }
}

@Suite struct GDTTests {
    @Test func descriptorsMatchLinux() {
        // The values of Linux's GDT_ENTRY_INIT for the same segments (accessed bit set).
        #expect(GDT.kernelCode == 0x00af_9b00_0000_ffff)
        #expect(GDT.kernelData == 0x00cf_9300_0000_ffff)
        #expect(GDT.userCode == 0x00af_fb00_0000_ffff)
        #expect(GDT.userData == 0x00cf_f300_0000_ffff)
        #expect(GDT.userCode32 == 0x00cf_fb00_0000_ffff)
        #expect(GDT.kernelCode32 == 0x00cf_9b00_0000_ffff)
    }

    @Test func selectorsIndexTheTable() {
        let e = GDT.entries()
        #expect(e.count == 16)
        #expect(e[0] == 0)
        #expect(e[0x10 >> 3] == GDT.kernelCode)
        #expect(e[0x18 >> 3] == GDT.kernelData)
        #expect(e[0x23 >> 3] == GDT.userCode32)
        #expect(e[0x2b >> 3] == GDT.userData)
        #expect(e[0x33 >> 3] == GDT.userCode)
    }

    @Test func tssDescriptorSplitsItsBase() {
        let t = GDT.tss(base: 0x1_2345_6789, limit: 103)
        #expect(t.low == 0x2300_8945_6789_0067)
        #expect(t.high == 0x1)
        #expect(GDT.entries()[8] == GDT.tss(base: 0x1080, limit: 103).low)
    }
}

@Suite struct BootInfoTests {
    @Test func memoryMapCoversRAMWithoutGapsOrOverlaps() {
        let ram: UInt64 = 64 << 20
        let map = MemoryMap(ramSize: ram, kernel: [(0x10_0000, 0x1234), (0x10_2000, 0x100)],
                            initrd: (0x3f0_0000, 0x5000))
        var cursor: UInt64 = 0
        for e in map.entries {
            #expect(e.base == cursor)
            #expect(e.size > 0)
            cursor = e.end
        }
        #expect(cursor == ram)
        #expect(map.entries.map(\.kind) == [.vmm, .free, .kernel, .free, .initrd, .free])
        #expect(map.entries[2] == .init(base: 0x10_0000, size: 0x3000, kind: .kernel))
    }

    @Test func initrdGoesHighButAboveTheKernel() {
        #expect(MemoryMap.initrdPlacement(size: 0x1800, ramSize: 64 << 20, kernelEnd: 0x20_0000) == (64 << 20) - 0x2000)
        #expect(MemoryMap.initrdPlacement(size: 63 << 20, ramSize: 64 << 20, kernelEnd: 0x20_0000) == nil)
        #expect(MemoryMap.initrdPlacement(size: .max, ramSize: 64 << 20, kernelEnd: 0) == nil)
    }

    @Test func encodesTheCStructLayout() {
        let map = MemoryMap(ramSize: 4 << 20, kernel: [(0x10_0000, 0x1000)], initrd: nil)
        let info = BootInfo(flags: BootInfo.Flag.preallocated | BootInfo.Flag.touchRAM, ramSize: 4 << 20, tscKHz: 2_596_000,
                            realtimeNanos: 1_795_725_922_123_456_789, commandLine: Array("init=/bin/true".utf8), memoryMap: map)
        let bytes = info.encode()
        func u64(_ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[o + $1]) << (8 * UInt64($1)) } }
        func u32(_ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[o + $1]) << (8 * UInt32($1)) } }
        #expect(bytes.count == MemoryLayout<vmm_boot_info>.size)
        #expect(bytes.count <= Int(VMM_BOOT_INFO_SIZE))
        #expect(u64(Int(VMM_BI_MAGIC)) == VMM_BOOT_MAGIC)
        #expect(u32(Int(VMM_BI_ABI_VERSION)) == UInt32(VMM_ABI_VERSION))
        #expect(u64(Int(VMM_BI_FLAGS)) == 0b101)
        #expect(u64(Int(VMM_BI_RAM_SIZE)) == 4 << 20)
        #expect(u64(Int(VMM_BI_TSC_KHZ)) == 2_596_000)
        #expect(u64(Int(VMM_BI_REALTIME_NS)) == 1_795_725_922_123_456_789)
        #expect(u32(Int(VMM_BI_CMDLINE_SIZE)) == 14)
        #expect(u32(Int(VMM_BI_MEMMAP_COUNT)) == UInt32(map.entries.count))
        let entry1 = Int(VMM_BI_MEMMAP) + Int(VMM_ME_STRIDE)
        #expect(u64(entry1 + Int(VMM_ME_BASE)) == 0x8_0000)
        #expect(u32(entry1 + Int(VMM_ME_TYPE)) == UInt32(VMM_MEM_FREE))
        let cmdline = Int(u64(Int(VMM_BI_CMDLINE_ADDR)) - X86.bootInfoAddress)
        #expect(String(decoding: bytes[cmdline..<cmdline + 14], as: UTF8.self) == "init=/bin/true")
        #expect(bytes[cmdline + 14] == 0)
    }

    @Test func longModeRegisters() {
        let s = LongMode.specialRegisters(from: kvm_sregs())
        #expect(s.cr0 == 0x8001_0033)
        #expect(s.cr4 == 0x620)
        #expect(s.efer == 0x500)
        #expect(s.cs.selector == 0x10 && s.cs.l == 1 && s.cs.db == 0)
        #expect(s.ss.selector == 0x18)
        #expect(s.tr.selector == 0x40 && s.tr.base == 0x1080)
        let r = LongMode.registers(entry: 0xffff_ffff_8010_0000)
        #expect(r.rip == 0xffff_ffff_8010_0000 && r.rdi == 0x2000 && r.rsp == 0x8_0000 && r.rflags == 2)
    }
}
