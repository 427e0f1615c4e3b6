import CKVM
import Foundation
import Testing
@testable import VMM

/// A synthetic bzImage: a setup header as boot.rst describes it (protocol
/// 2.15, the fields this loader reads) and a protected-mode kernel of
/// `kernelBytes` bytes after `setupSects` + 1 sectors.
struct BzBuilder {
    var setupSects: UInt8 = 4
    var version: UInt16 = 0x020f
    var headerEnd = 0x268             // 0x202 + the jump's offset byte
    var xloadflags: UInt16 = 0x7f
    var relocatable: UInt8 = 1
    var alignment: UInt32 = 0x20_0000
    var prefAddress: UInt64 = 0x100_0000
    var initSize: UInt32 = 0x40_0000
    var cmdlineSize: UInt32 = 2047
    var kernelBytes = 4096
    var magic: UInt32 = 0x5372_6448
    var bootFlag: UInt16 = 0xaa55

    func bytes() -> [UInt8] {
        let sects = setupSects == 0 ? 4 : Int(setupSects)
        var b = [UInt8](repeating: 0, count: (sects + 1) * 512 + kernelBytes)
        b[0x1f1] = setupSects
        b.put32(UInt32(kernelBytes / 16), at: 0x1f4)
        b.put16(bootFlag, at: 0x1fe)
        b[0x200] = 0xeb; b[0x201] = UInt8(headerEnd - 0x202)
        b.put32(magic, at: 0x202)
        b.put16(version, at: 0x206)
        b[0x211] = 0x01                                  // LOADED_HIGH
        b.put32(0x7fff_ffff, at: 0x22c)
        b.put32(alignment, at: 0x230)
        b[0x234] = relocatable
        b.put16(xloadflags, at: 0x236)
        b.put32(cmdlineSize, at: 0x238)
        b.put64(prefAddress, at: 0x258)
        b.put32(initSize, at: 0x260)
        for i in 0..<kernelBytes { b[(sects + 1) * 512 + i] = UInt8(truncatingIfNeeded: i) }
        return b
    }
}

@Suite struct BzImageTests {
    @Test func parsesTheSetupHeader() throws {
        let image = try BzImage(bytes: BzBuilder().bytes())
        #expect(image.version == 0x020f)
        #expect(image.kernelOffset == 5 * 512)
        #expect(image.kernelSize == 4096)
        #expect(image.loadAddress == 0x100_0000)
        #expect(image.entry64 == 0x100_0200)
        #expect(image.initSize == 0x40_0000)
        #expect(image.setupHeader.count == 0x268 - 0x1f1)
        #expect(image.commandLineMax == 2047)
        try image.validatePlacement(ramSize: 64 << 20)
    }

    @Test func setupSectorsZeroMeansFour() throws {
        var b = BzBuilder(); b.setupSects = 0
        #expect(try BzImage(bytes: b.bytes()).kernelOffset == 5 * 512)
    }

    @Test func loadAddressIsRoundedToTheAlignment() throws {
        var b = BzBuilder(); b.prefAddress = 0x10_1000
        #expect(try BzImage(bytes: b.bytes()).loadAddress == 0x20_0000)
        b.prefAddress = 0
        #expect(try BzImage(bytes: b.bytes()).loadAddress == 0x20_0000)   // never below 1 MiB
    }

    @Test func recognizesOnlyBzImages() {
        #expect(BzImage.recognizes(BzBuilder().bytes()))
        var b = BzBuilder(); b.magic = 0x5372_6449
        #expect(!BzImage.recognizes(b.bytes()))
        b = BzBuilder(); b.bootFlag = 0
        #expect(!BzImage.recognizes(b.bytes()))
        #expect(!BzImage.recognizes(ELFBuilder().bytes()))
        #expect(!BzImage.recognizes([0x4d, 0x5a]))
    }

    /// Each malformed image and the error it must get (one line each).
    static let malformed: [(String, BzBuilder, BzImageError)] = {
        var cases: [(String, BzBuilder, BzImageError)] = []
        func add(_ name: String, _ error: BzImageError, _ change: (inout BzBuilder) -> Void) {
            var b = BzBuilder(); change(&b); cases.append((name, b, error))
        }
        add("protocol 2.11", .protocolTooOld(major: 2, minor: 11)) { $0.version = 0x020b }
        add("protocol 2.00", .protocolTooOld(major: 2, minor: 0)) { $0.version = 0x0200 }
        add("header ends before init_size", .truncated("protocol 2.15 header ends at 0x260, before init_size")) { $0.headerEnd = 0x260 }
        add("no 64-bit entry", .not64Bit) { $0.xloadflags = 0x7e }
        add("not relocatable", .notRelocatable) { $0.relocatable = 0 }
        add("alignment 0", .badAlignment(0)) { $0.alignment = 0 }
        add("alignment not a power of two", .badAlignment(0x30_0000)) { $0.alignment = 0x30_0000 }
        add("no protected-mode kernel", .badSetupSectors(4)) { $0.kernelBytes = 0 }
        return cases
    }()

    @Test(arguments: 0..<malformed.count)
    func rejectsMalformedImage(_ index: Int) {
        let (name, builder, error) = Self.malformed[index]
        #expect(throws: error, "\(name)") { try BzImage(bytes: builder.bytes()) }
        #expect(!error.description.contains("\n"))
    }

    @Test func rejectsTruncatedFiles() {
        let full = BzBuilder().bytes()
        #expect(throws: BzImageError.truncated("the setup header ends at 0x206, file has 512 bytes")) {
            try BzImage(bytes: Array(full.prefix(512)))
        }
        #expect(throws: BzImageError.truncated("the setup header ends at 0x268, file has 576 bytes")) {
            try BzImage(bytes: Array(full.prefix(576)))
        }
        // syssize promises more kernel than the file holds.
        #expect(throws: BzImageError.truncated("syssize says 4096 bytes of kernel, file has 4000")) {
            try BzImage(bytes: Array(full.prefix(full.count - 96)))
        }
    }

    @Test func refusesAKernelThatDoesNotFitInRAM() throws {
        let image = try BzImage(bytes: BzBuilder().bytes())
        #expect(throws: BzImageError.doesNotFit(loadAddress: 0x100_0000, initSize: 0x40_0000, ramSize: 16 << 20)) {
            try image.validatePlacement(ramSize: 16 << 20)
        }
    }

    /// Debian's kernel, where installed: what the boot protocol says of it.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: LinuxGuestTests.debianKernel)))
    func parsesDebiansKernel() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: LinuxGuestTests.debianKernel)))
        let image = try BzImage(bytes: bytes)
        #expect(image.version >= 0x020c)
        #expect(image.kernelAlignment == 0x20_0000)
        #expect(image.loadAddress == 0x100_0000)
        #expect(image.initSize > UInt64(image.kernelSize))
        #expect(throws: BzImageError.self) { try BzImage(bytes: Array(bytes.prefix(0x1000))) }
    }
}

@Suite struct ZeroPageTests {
    static func page(initrd: (UInt64, UInt64) = (0x7f0_0000, 0x1234)) throws -> [UInt8] {
        let image = try BzImage(bytes: BzBuilder().bytes())
        let boot = try LinuxBoot(image: image, commandLine: Array("console=ttyS0".utf8), initrdSize: initrd.1,
                                 ramSize: 128 << 20)
        return boot.zeroPage(ramSize: 128 << 20).encode()
    }

    @Test func fillsTheLoaderFields() throws {
        let p = try Self.page()
        #expect(p.count == 4096)
        #expect(p.u32(0x202) == 0x5372_6448)                // the header copied from the image
        #expect(p.u16(0x206) == 0x020f)
        #expect(p.u16(0x1fa) == 0xffff)                      // vid_mode normal
        #expect(p[0x210] == 0xff)                            // type_of_loader undefined
        #expect(p[0x211] & 1 == 1)                           // LOADED_HIGH
        #expect(p.u32(0x214) == 0x100_0000)                  // code32_start
        #expect(p.u32(0x228) == UInt32(LinuxBoot.commandLineAddress))
        #expect(p.u32(0x0c8) == 0)                           // ext_cmd_line_ptr
        #expect(p.u32(0x23c) == 0)                           // hardware_subarch PC
        #expect(p.u32(0x21c) == 0x1234)                      // ramdisk_size
        let initrd = UInt64(p.u32(0x218)) | UInt64(p.u32(0x0c0)) << 32
        #expect(initrd % 4096 == 0)
        #expect(initrd >= 0x100_0000 + 0x40_0000)            // above the kernel's init_size
        #expect(initrd + 0x1234 <= 128 << 20)
    }

    @Test func carriesTheE820Map() throws {
        let p = try Self.page()
        #expect(p[0x1e8] == 3)
        func entry(_ i: Int) -> (UInt64, UInt64, UInt32) {
            let o = 0x2d0 + i * 20
            return (p.u64(o), p.u64(o + 8), p.u32(o + 16))
        }
        #expect(entry(0) == (0, 0x9fc00, 1))
        #expect(entry(1) == (0x9fc00, 0x100000 - 0x9fc00, 2))
        #expect(entry(2) == (0x100000, (128 << 20) - 0x100000, 1))
    }

    /// The offsets this loader writes, against the kernel's own
    /// <asm/bootparam.h> (linux-libc-dev), compiled here.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/include/x86_64-linux-gnu/asm/bootparam.h")))
    func offsetsMatchBootparamH() throws {
        let fields: [(String, Int)] = [
            ("ext_ramdisk_image", ZeroPage.Offset.extRamdiskImage), ("ext_ramdisk_size", ZeroPage.Offset.extRamdiskSize),
            ("ext_cmd_line_ptr", ZeroPage.Offset.extCmdLinePtr), ("e820_entries", ZeroPage.Offset.e820Entries),
            ("e820_table", ZeroPage.Offset.e820Table), ("hdr.setup_sects", BzImage.Offset.setupSects),
            ("hdr.syssize", BzImage.Offset.syssize), ("hdr.vid_mode", BzImage.Offset.vidMode),
            ("hdr.boot_flag", BzImage.Offset.bootFlag), ("hdr.jump", BzImage.Offset.jump),
            ("hdr.header", BzImage.Offset.header), ("hdr.version", BzImage.Offset.version),
            ("hdr.type_of_loader", BzImage.Offset.typeOfLoader), ("hdr.loadflags", BzImage.Offset.loadflags),
            ("hdr.code32_start", BzImage.Offset.code32Start), ("hdr.ramdisk_image", BzImage.Offset.ramdiskImage),
            ("hdr.ramdisk_size", BzImage.Offset.ramdiskSize), ("hdr.cmd_line_ptr", BzImage.Offset.cmdLinePtr),
            ("hdr.initrd_addr_max", BzImage.Offset.initrdAddrMax), ("hdr.kernel_alignment", BzImage.Offset.kernelAlignment),
            ("hdr.relocatable_kernel", BzImage.Offset.relocatableKernel), ("hdr.xloadflags", BzImage.Offset.xloadflags),
            ("hdr.cmdline_size", BzImage.Offset.cmdlineSize), ("hdr.hardware_subarch", BzImage.Offset.hardwareSubarch),
            ("hdr.pref_address", BzImage.Offset.prefAddress), ("hdr.init_size", BzImage.Offset.initSize),
        ]
        var c = "#include <stdio.h>\n#include <stddef.h>\n#include <asm/bootparam.h>\nint main(void) {\n"
        c += "    printf(\"%zu %zu\\n\", sizeof(struct boot_params), sizeof(struct boot_e820_entry));\n"
        for (f, _) in fields { c += "    printf(\"%zu\\n\", offsetof(struct boot_params, \(f)));\n" }
        c += "    return 0;\n}\n"
        let src = try TestGuests.file("bootparam-offsets.c", Array(c.utf8))
        let exe = TestGuests.directory.appendingPathComponent("bootparam-offsets")
        let cc = try Run.program(URL(fileURLWithPath: "/usr/bin/cc"), ["-o", exe.path, src.path])
        #expect(cc.status == 0, "\(cc.stderr)")
        let lines = try Run.program(exe, []).stdout.split(separator: "\n")
        #expect(lines.first == "\(ZeroPage.size) \(ZeroPage.e820EntrySize)")
        for (i, (name, ours)) in fields.enumerated() {
            #expect(lines.count > i + 1 && lines[i + 1] == "\(ours)", "\(name)")
        }
    }

    @Test func refusesALongCommandLineAndABigInitrd() throws {
        let image = try BzImage(bytes: BzBuilder().bytes())
        #expect(throws: LinuxGuestError.commandLineTooLong(3000, max: 2047)) {
            try LinuxBoot(image: image, commandLine: [UInt8](repeating: 0x61, count: 3000), initrdSize: nil, ramSize: 128 << 20)
        }
        #expect(throws: LinuxGuestError.initrdDoesNotFit(size: 100 << 20, ramSize: 64 << 20)) {
            try LinuxBoot(image: image, commandLine: [], initrdSize: 100 << 20, ramSize: 64 << 20)
        }
    }
}

@Suite struct MPTableTests {
    @Test func checksumsAndLayout() {
        let t = MPTable.build(cpuSignature: 0x800f12, cpuFeatures: 0x178bfbff)
        #expect(Array(t[0..<4]) == Array("_MP_".utf8))
        #expect(t[0..<16].reduce(0, &+) == 0)                       // floating pointer checksum
        #expect(t.u32(4) == UInt32(MPTable.address) + 16)             // points at the table after it
        let table = Array(t[16...])
        #expect(Array(table[0..<4]) == Array("PCMP".utf8))
        #expect(Int(table.u16(4)) == table.count)
        #expect(table.reduce(0, &+) == 0)                           // config table checksum
        #expect(table.u16(34) == 21)                                // cpu, bus, ioapic, 16 ISA irqs, 2 lints
        #expect(table.u32(36) == 0xfee0_0000)
        #expect(table[44] == 0 && table[44 + 3] == 3)               // processor: enabled BSP
        #expect(t.count <= 1024)                                    // within the last KiB below 640 KiB
        // IRQ 4 (COM1) reaches IOAPIC pin 4.
        let irq4 = 44 + 20 + 8 + 8 + 4 * 8
        #expect(Array(table[irq4..<irq4 + 8]) == [3, 0, 0, 0, 0, 4, MPTable.ioAPICID, 4])
    }
}

/// An exit's port data, in memory of its own for the call.
func withIO(_ bytes: [UInt8], _ body: (IOData) -> ExitAction) -> ExitAction {
    bytes.withUnsafeBytes { body(IOData($0)) }
}

@Suite struct PCDeviceTests {
    final class Host: HypercallHost {
        var marks: [UInt64] = []
        func recordMark(id: UInt64) -> Mark { fatalError("the hypercall path is not used here") }
        func recordMark(id: UInt64, port: UInt16) -> Mark {
            marks.append(id)
            return Mark(id: id, nanos: 0, exits: 0, exitsByKind: [:], stats: StatsSnapshot(values: [:]))
        }
        func keepReport(_ bytes: [UInt8]) {}
        func kernelLog(_ bytes: [UInt8], killedBy: UInt64) {}
    }

    @Test func serialRaisesTHREOnIRQ4AndIIRClearsIt() throws {
        let host = Host()
        var lines: [(UInt32, Bool)] = []
        var d = ExitDispatcher(console: CapturedConsole(), memory: try GuestMemory(size: 2 << 20), host: host)
        d.pcDevices = true
        d.setIRQLine = { lines.append(($0, $1)) }
        func out(_ port: UInt16, _ v: UInt8) -> ExitAction { withIO([v]) { d.handle(.ioOut(port: port, size: 1, count: 1, data: $0)) } }
        func inb(_ port: UInt16) -> ExitAction { withIO([0]) { d.handle(.ioIn(port: port, size: 1, count: 1, data: $0)) } }
        #expect(out(0x3f9, 0x02) == .resume)                         // IER: THRE interrupt on
        #expect(lines.count == 1 && lines[0] == (4, true))
        #expect(inb(0x3fa) == .resumeWithInput(0x02))                // IIR: THRE, and that clears it
        #expect(lines.count == 2 && lines[1] == (4, false))
        #expect(inb(0x3fa) == .resumeWithInput(0x01))
        #expect(out(0x3f8, 0x41) == .resume)                         // a byte sent: THR empty again
        #expect(lines.count == 3 && lines[2] == (4, true))
        #expect(out(0x3f9, 0x00) == .resume)                         // disabled: the line drops
        #expect(lines.count == 4 && lines[3] == (4, false))
    }

    @Test func i8042ResetEndsTheVMAndMarksArriveOnTheMarkPort() throws {
        let host = Host()
        var d = ExitDispatcher(console: CapturedConsole(), memory: try GuestMemory(size: 2 << 20), host: host)
        func out(_ port: UInt16, _ bytes: [UInt8]) -> ExitAction {
            withIO(bytes) { d.handle(.ioOut(port: port, size: bytes.count, count: 1, data: $0)) }
        }
        #expect(out(0x64, [0xfe]) == .stop(.unknownPort(port: 0x64, size: 1, isWrite: true, value: 0xfe)))   // not a PC without pcDevices
        d.pcDevices = true
        #expect(withIO([0]) { d.handle(.ioIn(port: 0x64, size: 1, count: 1, data: $0)) } == .resumeWithInput(0))
        #expect(out(0x64, [0xd1]) == .resume)
        #expect(out(0x64, [0xfe]) == .stop(.guestReset))
        #expect(StopReason.guestReset.exitStatus == 119)
        #expect(out(0x514, [0x01, 0x00, 0x07, 0x00]) == .resume)
        #expect(host.marks == [0x0007_0001])
    }

    @Test func linuxCPUIDSetsTheHypervisorAndDeadlineBits() {
        var leaf1 = kvm_cpuid_entry2(); leaf1.function = 1
        var other = kvm_cpuid_entry2(); other.function = 7
        let out = LinuxBoot.cpuid([leaf1, other], tscDeadline: true)
        #expect(out[0].ecx == LinuxBoot.hypervisorBit | LinuxBoot.tscDeadlineBit)
        #expect(out[1].ecx == 0)
        #expect(LinuxBoot.cpuid([leaf1], tscDeadline: false)[0].ecx == LinuxBoot.hypervisorBit)
    }
}

@Suite struct BenchLinuxSideTests {
    static let linux = BenchOutput(text: """
        bench-begin version=1\r
        [    1.234] some kernel line\r
        result name=getpid rep=0 iters=10 ns=1000 ns_per_op=100.0\r
        result name=getpid rep=1 iters=10 ns=1400 ns_per_op=140.0\r
        skipped name=fork_exit reason=no fork here\r
        bench-end\r
        """)

    func report() -> BenchReport {
        var rows = BenchRowAndReportTests().rows()
        let costs: [Int: MarkBrackets.Cost] = [0: .init(vmmExits: 5, kvmExits: nil, emulatedInstructions: nil, stats: [:]),
                                               1: .init(vmmExits: 7, kvmExits: nil, emulatedInstructions: nil, stats: [:])]
        for i in rows.indices { rows[i].addLinux(output: Self.linux, costs: costs) }
        return BenchReport(environment: BenchEnvironment(cpuModel: "Test CPU", kvmKind: .hardware(vendor: "AMD SVM, kvm_amd"),
                                                         memory: MemorySize(bytes: 256 << 20), preallocated: true, pinnedCPU: 0,
                                                         mode: IterationMode(counts: .budget, reason: "--quick"), repeatCount: 2,
                                                         vmmVersion: "0.1.0", linuxKernel: "/boot/vmlinuz"),
                           rows: rows)
    }

    @Test func rowsGainTheLinuxColumns() {
        let r = report().rows
        #expect(r[0].linux?.median == 120)
        #expect(r[0].ratioVsLinux == 110_000.0 / 120)
        #expect(r[0].statusVsLinux == .regression)
        #expect(r[0].linuxExitsPerOp == 0.6)                 // median of 5/10 and 7/10
        #expect(r[1].linux == nil && r[1].linuxReason == "linux: no fork here" && r[1].statusVsLinux == .skipped)
        let t = report().table()
        #expect(t.contains("linux guest ns") && t.contains("ratio vs linux") && t.contains("linux exits/op"))
        #expect(t.contains("against the Linux guest: 0 faster, 0 ok, 0 marginal, 1 regression, 2 skipped"))
        #expect(!BenchRowAndReportTests().report().table().contains("linux guest ns"))   // only with --linux-kernel
    }

    @Test func jsonAndSVGCarryBothRatios() throws {
        let doc = try JSONParser.parse(report().json().serialized())
        let b = try #require(doc["benchmarks"]?.array)
        #expect(b[0]["linux_guest_ns"]?.number == 120)
        #expect(b[0]["ratio_vs_linux"]?.number == 110_000.0 / 120)
        #expect(b[0]["status_vs_linux"]?.string == "regression")
        #expect(b[1]["linux_guest_ns"] == .null && b[1]["ratio_vs_linux"] == .null)
        #expect(doc["summary_vs_linux"]?["regression"]?.number == 1)
        #expect(doc["environment"]?["linux_kernel"]?.string == "/boot/vmlinuz")
        let plain = try JSONParser.parse(BenchRowAndReportTests().report().json().serialized())
        #expect(plain["benchmarks"]?.array?[0]["linux_guest_ns"] == .null)
        #expect(plain["summary_vs_linux"] == .null)
        let svg = SVGChart.render(report())
        #expect(svg.contains("#6f42c1") && svg.contains("1000.00 / 916.67"))
    }
}

extension PCDeviceTests {
    /// Linux's 8250 receive path: nothing is offered until the driver raises
    /// RTS (its startup reads RBR to discard stale bytes first), then the
    /// received-data interrupt rises on IRQ 4 and falls once RBR is drained.
    @Test func serialReceiveRaisesIRQ4OnceRTSIsUp() throws {
        let host = Host()
        var lines: [(UInt32, Bool)] = []
        var d = ExitDispatcher(console: CapturedConsole(), memory: try GuestMemory(size: 2 << 20), host: host)
        d.pcDevices = true
        d.setIRQLine = { lines.append(($0, $1)) }
        d.serial.input = SerialReceiveTests.Bytes(Array("hi\n".utf8))
        func out(_ port: UInt16, _ v: UInt8) -> ExitAction { withIO([v]) { d.handle(.ioOut(port: port, size: 1, count: 1, data: $0)) } }
        func inb(_ port: UInt16) -> ExitAction { withIO([0]) { d.handle(.ioIn(port: port, size: 1, count: 1, data: $0)) } }
        #expect(out(0x3fc, 0x09) == .resume)                          // MCR: DTR, OUT2 (serial8250_do_startup)
        #expect(inb(0x3f8) == .resumeWithInput(0))                    // its discarding read takes nothing
        #expect(out(0x3f9, 0x05) == .resume)                          // IER: RLSI | RDI
        #expect(lines.isEmpty)
        #expect(inb(0x3fd) == .resumeWithInput(0x60))                 // LSR: no data ready yet
        #expect(out(0x3fc, 0x0b) == .resume)                          // RTS up (uart_port_startup)
        #expect(lines.count == 1 && lines[0] == (4, true))
        #expect(inb(0x3fa) == .resumeWithInput(0x04))                 // IIR: received data
        #expect(inb(0x3fd) == .resumeWithInput(0x61))                 // LSR: DR
        for b in "hi\n".utf8 { #expect(inb(0x3f8) == .resumeWithInput(UInt64(b))) }
        #expect(lines.count == 2 && lines[1] == (4, false))
        #expect(inb(0x3fa) == .resumeWithInput(0x01))
    }
}
