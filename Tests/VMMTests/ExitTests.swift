import CKVM
import Testing
@testable import VMM

/// A HypercallHost that records what it was asked.
final class FakeHost: HypercallHost {
    var marks: [UInt64] = []
    var reports: [[UInt8]] = []
    func recordMark(id: UInt64) -> Mark {
        marks.append(id)
        return Mark(id: id, nanos: 1234, exits: 7, exitsByKind: [:], stats: StatsSnapshot(values: ["insn_emulation": 99]))
    }
    func keepReport(_ bytes: [UInt8]) { reports.append(bytes) }
    var logs: [([UInt8], UInt64)] = []
    func kernelLog(_ bytes: [UInt8], killedBy: UInt64) { logs.append((bytes, killedBy)) }
}

/// A fake kvm_run area with an exit written into it.
final class FakeRunArea {
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    init() { bytes.initializeMemory(as: UInt8.self, repeating: 0) }
    deinit { bytes.deallocate() }

    func decode(_ raw: ckvm_exit) -> VCPUExit { VCPUExit(raw, runArea: bytes) }

    func ioOut(port: UInt16, size: UInt8, values: [UInt8], offset: UInt64 = 0x100) -> VCPUExit {
        for (i, v) in values.enumerated() { bytes[Int(offset) + i] = v }
        var raw = ckvm_exit()
        raw.reason = UInt32(KVM_EXIT_IO); raw.io_direction = UInt8(KVM_EXIT_IO_OUT)
        raw.io_size = size; raw.io_port = port; raw.io_count = UInt32(values.count) / UInt32(size)
        raw.io_data_offset = offset
        return decode(raw)
    }

    func ioIn(port: UInt16, size: UInt8) -> VCPUExit {
        var raw = ckvm_exit()
        raw.reason = UInt32(KVM_EXIT_IO); raw.io_direction = UInt8(KVM_EXIT_IO_IN)
        raw.io_size = size; raw.io_port = port; raw.io_count = 1; raw.io_data_offset = 0x100
        return decode(raw)
    }
}

@Suite struct ExitDecodingTests {
    let area = FakeRunArea()

    @Test func decodesPortWrites() {
        let exit = area.ioOut(port: 0x3f8, size: 1, values: [0x41])
        guard case .ioOut(let port, let size, let count, let data) = exit else { Issue.record("\(exit)"); return }
        #expect(port == 0x3f8 && size == 1 && count == 1 && data.first(size: 1) == 0x41)
    }

    @Test func rejectsDataOutsideTheRunArea() {
        var raw = ckvm_exit()
        raw.reason = UInt32(KVM_EXIT_IO); raw.io_direction = UInt8(KVM_EXIT_IO_OUT)
        raw.io_size = 4; raw.io_port = 0x501; raw.io_count = 2; raw.io_data_offset = 4090
        #expect(area.decode(raw) == .malformed("I/O exit data outside the run area"))
        raw.io_data_offset = .max
        #expect(area.decode(raw) == .malformed("I/O exit data outside the run area"))
        raw.io_data_offset = 0; raw.io_count = .max
        #expect(area.decode(raw) == .malformed("I/O exit data outside the run area"))
        raw.io_count = 1; raw.io_size = 3
        #expect(area.decode(raw) == .malformed("I/O exit with access size 3"))
    }

    @Test func decodesMMIOAndMasksItsData() {
        var raw = ckvm_exit()
        raw.reason = UInt32(KVM_EXIT_MMIO); raw.mmio_phys_addr = 0xd000_0000
        raw.mmio_len = 2; raw.mmio_is_write = 1; raw.mmio_data = 0x1122_3344_5566_7788
        #expect(area.decode(raw) == .mmio(address: 0xd000_0000, size: 2, isWrite: true, data: 0x7788))
        raw.mmio_len = 9
        #expect(area.decode(raw) == .malformed("MMIO exit with length 9"))
    }

    @Test func decodesTheRest() {
        var raw = ckvm_exit()
        raw.reason = UInt32(KVM_EXIT_HLT); #expect(area.decode(raw) == .halt)
        raw.reason = UInt32(KVM_EXIT_SHUTDOWN); #expect(area.decode(raw) == .shutdown)
        raw.reason = UInt32(KVM_EXIT_FAIL_ENTRY); raw.fail_entry_reason = 33
        #expect(area.decode(raw) == .failEntry(reason: 33, cpu: 0))
        raw.reason = UInt32(KVM_EXIT_INTERNAL_ERROR); raw.internal_suberror = 1; raw.internal_ndata = 2
        #expect(VCPUExit(raw, runArea: area.bytes, internalData: { [7, 8] }) == .internalError(suberror: 1, data: [7, 8]))
        raw.reason = UInt32(KVM_EXIT_DEBUG)
        #expect(area.decode(raw) == .unhandled(reason: 4))
        #expect(ExitKind(area.decode(raw)).name == "KVM_EXIT_DEBUG")
    }
}

@Suite struct InternalErrorDataTests {
    @Test func copiesAtMostSixteenWords() {
        let area = FakeRunArea()
        let run = area.bytes.baseAddress!.bindMemory(to: kvm_run.self, capacity: 1)
        run.pointee.internal.ndata = 200
        run.pointee.internal.data.0 = 0xabc
        var out = [UInt64](repeating: 0, count: 16)
        #expect(ckvm_internal_error_data(run, &out, 16) == 16)
        #expect(out[0] == 0xabc)
        #expect(ckvm_internal_error_data(run, &out, 3) == 3)
    }
}

@Suite struct ExitDispatcherTests {
    let area = FakeRunArea()
    let console = CapturedConsole()
    let host = FakeHost()

    func dispatcher(_ memory: GuestMemory? = nil, ignoreUnknown: Bool = false) throws -> ExitDispatcher {
        ExitDispatcher(console: console, memory: try memory ?? GuestMemory(size: 2 << 20), host: host,
                       ignoreUnknownIO: ignoreUnknown)
    }

    @Test func serialBytesReachTheConsoleUnchanged() throws {
        var d = try dispatcher()
        for b in Array("hé\n".utf8) + [0, 0xff] {
            #expect(d.handle(area.ioOut(port: 0x3f8, size: 1, values: [b])) == .resume)
        }
        #expect(console.bytes == Array("hé\n".utf8) + [0, 0xff])
    }

    @Test func stringOutputCarriesEveryByte() throws {
        var d = try dispatcher()
        #expect(d.handle(area.ioOut(port: 0x3f8, size: 1, values: Array("rep outsb".utf8))) == .resume)
        #expect(console.text == "rep outsb")
    }

    @Test func lineStatusSaysTransmitterEmpty() throws {
        var d = try dispatcher()
        #expect(d.handle(area.ioIn(port: 0x3fd, size: 1)) == .resumeWithInput(0x60))
        #expect(d.handle(area.ioIn(port: 0x3fa, size: 1)) == .resumeWithInput(0x01))   // IIR: no interrupt
    }

    @Test func exitPortEndsTheVMWithTheLowByte() throws {
        var d = try dispatcher()
        #expect(d.handle(area.ioOut(port: 0x501, size: 1, values: [42])) == .stop(.guestExit(value: 42)))
        #expect(d.handle(area.ioOut(port: 0x501, size: 2, values: [0x07, 0x01])) == .stop(.guestExit(value: 0x107)))
        #expect(StopReason.guestExit(value: 0x107).exitStatus == 7)
        #expect(d.handle(area.ioOut(port: 0x501, size: 4, values: [0, 1, 0, 0])) == .stop(.guestExit(value: 0x100)))
        #expect(StopReason.guestExit(value: 0x100).exitStatus == 0)
    }

    @Test func unknownPortsStopUnlessIgnored() throws {
        var strict = try dispatcher()
        #expect(strict.handle(area.ioOut(port: 0x1234, size: 1, values: [0x5a]))
                == .stop(.unknownPort(port: 0x1234, size: 1, isWrite: true, value: 0x5a)))
        #expect(strict.handle(area.ioIn(port: 0x60, size: 1)) == .stop(.unknownPort(port: 0x60, size: 1, isWrite: false, value: 0)))
        var lenient = try dispatcher(ignoreUnknown: true)
        #expect(lenient.handle(area.ioOut(port: 0x1234, size: 1, values: [0x5a])) == .resume)
        #expect(lenient.handle(area.ioIn(port: 0x60, size: 1)) == .resumeWithInput(~0))
    }

    @Test func nullPortIsAccepted() throws {
        var d = try dispatcher()
        #expect(d.handle(area.ioOut(port: 0x80, size: 1, values: [1])) == .resume)
    }

    @Test func mmioStopsWithItsDetails() throws {
        var d = try dispatcher()
        #expect(d.handle(.mmio(address: 0xfee0_0000, size: 4, isWrite: false, data: 0))
                == .stop(.unhandledMMIO(address: 0xfee0_0000, size: 4, isWrite: false, value: 0)))
        var lenient = try dispatcher(ignoreUnknown: true)
        #expect(lenient.handle(.mmio(address: 0xfee0_0000, size: 4, isWrite: false, data: 0)) == .resumeWithInput(~0))
    }

    @Test func failuresStopWithDistinctStatuses() throws {
        var d = try dispatcher()
        let stops = [VCPUExit.halt, .shutdown, .failEntry(reason: 1, cpu: 0), .internalError(suberror: 1, data: []),
                     .unhandled(reason: 4)].map { d.handle($0) }
        let statuses = stops.compactMap { if case .stop(let r) = $0 { return r.exitStatus } else { return nil } }
        #expect(statuses == [120, 121, 122, 123, 118])
        #expect(Set(statuses + [StopReason.timedOut(seconds: 1).exitStatus, 116, 117]).count == statuses.count + 3)
    }

    // MARK: hypercalls

    func writeRecord(_ memory: GuestMemory, at address: UInt64, op: UInt16, args: (UInt64, UInt64, UInt64, UInt64),
                     magic: UInt32 = UInt32(VMM_HYPERCALL_MAGIC)) throws {
        try HypercallRecord(magic: magic, abiVersion: UInt16(VMM_ABI_VERSION), op: op, result: 0x7ead, args: args)
            .write(at: address, to: memory)
    }

    func hypercall(_ d: inout ExitDispatcher, _ address: UInt32) -> ExitAction {
        d.handle(area.ioOut(port: 0x510, size: 4, values: withUnsafeBytes(of: address.littleEndian) { Array($0) }))
    }

    @Test func markRecordsAndWritesBack() throws {
        let memory = try GuestMemory(size: 2 << 20)
        var d = try dispatcher(memory)
        try writeRecord(memory, at: 0x9000, op: UInt16(VMM_HC_MARK), args: (5, 0, 0, 0))
        #expect(hypercall(&d, 0x9000) == .resume)
        let r = try HypercallRecord.read(at: 0x9000, from: memory)
        #expect(r.result == 0)
        #expect(r.args == (5, 7, 99, 1234))
        #expect(host.marks == [5])
    }

    @Test func reportIsKeptAndBoundsChecked() throws {
        let memory = try GuestMemory(size: 2 << 20)
        var d = try dispatcher(memory)
        try memory.write(bytes: Array("answer=42".utf8), at: 0xa000)
        try writeRecord(memory, at: 0x9000, op: UInt16(VMM_HC_REPORT), args: (0xa000, 9, 0, 0))
        _ = hypercall(&d, 0x9000)
        #expect(try HypercallRecord.read(at: 0x9000, from: memory).result == 0)
        #expect(host.reports == [Array("answer=42".utf8)])

        try writeRecord(memory, at: 0x9000, op: UInt16(VMM_HC_REPORT), args: ((2 << 20) - 4, 9, 0, 0))
        _ = hypercall(&d, 0x9000)
        #expect(try HypercallRecord.read(at: 0x9000, from: memory).result == Int64(VMM_HC_EFAULT))
        try writeRecord(memory, at: 0x9000, op: UInt16(VMM_HC_REPORT), args: (.max, .max, 0, 0))
        _ = hypercall(&d, 0x9000)
        #expect(try HypercallRecord.read(at: 0x9000, from: memory).result == Int64(VMM_HC_EINVAL))
        #expect(host.reports.count == 1)
    }

    /// VMM_HC_LOG is the kernel's own channel: it reaches the log, never the
    /// console (the program's stdout) nor the guest's reports.
    @Test func kernelLogLinesTakeTheirOwnChannel() throws {
        let memory = try GuestMemory(size: 2 << 20)
        var d = try dispatcher(memory)
        try memory.write(bytes: Array("kernel: pid 1 killed by signal 11".utf8), at: 0xa000)
        try writeRecord(memory, at: 0x9000, op: UInt16(VMM_HC_LOG), args: (0xa000, 33, 11, 0))
        #expect(hypercall(&d, 0x9000) == .resume)
        #expect(try HypercallRecord.read(at: 0x9000, from: memory).result == 0)
        #expect(host.logs.count == 1 && host.logs.first?.0 == Array("kernel: pid 1 killed by signal 11".utf8))
        #expect(host.logs.first?.1 == 11)
        #expect(host.reports.isEmpty && console.bytes.isEmpty)
        try writeRecord(memory, at: 0x9000, op: UInt16(VMM_HC_LOG), args: (0xa000, UInt64(VMM_REPORT_MAX) + 1, 0, 0))
        _ = hypercall(&d, 0x9000)
        #expect(try HypercallRecord.read(at: 0x9000, from: memory).result == Int64(VMM_HC_EINVAL))
        #expect(host.logs.count == 1)
    }

    @Test func kernelLogWritesLinesToItsSinkAndRemembersTheKillingSignal() {
        let sink = CapturedConsole()
        let log = KernelLog(sink: sink)
        log.line(Array("kernel: unimplemented system call 440 -> ENOSYS".utf8), killedBy: 0)
        #expect(log.programKilledBy == nil)
        log.line(Array("kernel: pid 1 killed\nby signal 11".utf8), killedBy: 11)
        #expect(sink.text == "kernel: unimplemented system call 440 -> ENOSYS\nkernel: pid 1 killedby signal 11\n")
        #expect(log.programKilledBy == 11 && log.count == 2)
        log.line([], killedBy: 1000)                 // not a signal number: ignored
        #expect(log.programKilledBy == 11)
        #expect(KernelLog(sink: nil).programKilledBy == nil)
    }

    @Test func badRecordsAreRefusedWithoutTrapping() throws {
        let memory = try GuestMemory(size: 2 << 20)
        var d = try dispatcher(memory)
        try writeRecord(memory, at: 0x9000, op: 77, args: (0, 0, 0, 0))
        _ = hypercall(&d, 0x9000)
        #expect(try HypercallRecord.read(at: 0x9000, from: memory).result == Int64(VMM_HC_ENOSYS))
        try writeRecord(memory, at: 0x9000, op: UInt16(VMM_HC_MARK), args: (0, 0, 0, 0), magic: 1)
        _ = hypercall(&d, 0x9000)
        #expect(try HypercallRecord.read(at: 0x9000, from: memory).result == Int64(VMM_HC_EINVAL))
        // Outside RAM, at the very end, misaligned, wrong width: ignored and counted.
        #expect(hypercall(&d, 0xffff_fff8) == .resume)
        #expect(hypercall(&d, UInt32((2 << 20) - 8)) == .resume)
        #expect(hypercall(&d, 0x9004) == .resume)
        #expect(d.handle(area.ioOut(port: 0x510, size: 1, values: [0])) == .resume)
        #expect(d.badHypercalls == 4)
        #expect(host.marks.isEmpty)
    }
}
