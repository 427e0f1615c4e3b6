@testable import VMMCore

/// Input: [RAM size selector: UInt8][record address: UInt64][guest RAM
/// contents]. Performs the hypercall whose `struct vmm_hypercall` record the
/// guest put at that address (HypercallDevice.perform, as the hypercall port
/// does) against guest RAM of 64 bytes to ~32 KiB, not only whole pages.
/// Properties: a record that is misaligned or not wholly in RAM is refused
/// and nothing is written; otherwise only the record's result (and a mark's
/// three output words, a console read's drained flag in arg2) change, the
/// result is one of the ABI's, a report or
/// a kernel log line hands the host exactly the guest's bytes, at most
/// VMM_REPORT_MAX (a log line with its killed-by signal).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHypercall(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let ramSize = 64 + UInt64(input.byte()) * 127
    let address = input.integer(UInt64.self)
    let memory = try! GuestMemory(size: ramSize)
    try! memory.withMutableBytes(at: 0, count: Int(ramSize)) { $0.copyBytes(from: input.take(Int(ramSize))) }
    let before = try! memory.readBytes(at: 0, count: Int(ramSize))
    let host = RecordingHost()
    let ok = HypercallDevice.perform(address: address, memory: memory, host: host)
    let after = try! memory.readBytes(at: 0, count: Int(ramSize))
    let inRAM = address <= ramSize && HypercallRecord.size <= ramSize - address
    guard ok else {
        check(!(inRAM && address % 8 == 0), "a reachable aligned record at \(address) was refused")
        check(before.withUnsafeBytes { b in after.withUnsafeBytes { sameBytes(b, $0) } }, "a refused hypercall wrote guest RAM")
        return 0
    }
    check(inRAM && address % 8 == 0, "record at \(address) of \(ramSize) accepted")
    let a = Int(address), n = Int(HypercallRecord.size)
    before.withUnsafeBytes { b in
        after.withUnsafeBytes { f in
            check(sameBytes(UnsafeRawBufferPointer(rebasing: b[..<a]), UnsafeRawBufferPointer(rebasing: f[..<a]))
                  && sameBytes(UnsafeRawBufferPointer(rebasing: b[(a + n)...]), UnsafeRawBufferPointer(rebasing: f[(a + n)...])),
                  "a hypercall wrote outside its record")
        }
    }
    let old = try! HypercallRecord.read(at: address, from: memoryOf(before))
    let new = try! HypercallRecord.read(at: address, from: memory)
    check(new.magic == old.magic && new.abiVersion == old.abiVersion && new.op == old.op, "record header changed")
    check([0, -14, -22, -38].contains(new.result), "result \(new.result)")
    check(new.args.0 == old.args.0, "arg0 changed")
    // What a report or a log line read: the guest's bytes at arg0, arg1 long.
    func text() -> [UInt8] {
        let (at, count) = (Int(old.args.0), Int(old.args.1))
        check(count <= Int(HypercallRecord.reportMax), "report or log of \(count) bytes accepted")
        return Array(before[at..<at + count])
    }
    if new.result == 0 && new.op == HypercallRecord.opReport {
        check(host.reports == [text()], "the report is not the guest's bytes")
    } else {
        check(host.reports.isEmpty, "report kept for op \(new.op), result \(new.result)")
    }
    if new.result == 0 && new.op == HypercallRecord.opLog {
        check(host.logs.count == 1 && host.logs[0].0 == text() && host.logs[0].1 == old.args.2,
              "the log line is not the guest's bytes and signal")
    } else {
        check(host.logs.isEmpty, "log line kept for op \(new.op), result \(new.result)")
    }
    if new.op == HypercallRecord.opConsoleRead && new.result >= 0 {
        // This host has no console input: nothing copied, arg2 the drained flag (0 or 1).
        check(new.result == 0 && (new.args.2 == 0 || new.args.2 == 1), "console read: \(new.result) bytes, drained \(new.args.2)")
        check(new.args.1 == old.args.1 && new.args.3 == old.args.3, "console read changed args other than arg2")
    } else if !(new.result == 0 && new.op == HypercallRecord.opMark) {
        check(new.args.1 == old.args.1 && new.args.2 == old.args.2 && new.args.3 == old.args.3, "args changed")
    }
    return 0
}

private func memoryOf(_ bytes: [UInt8]) -> GuestMemory {
    let m = try! GuestMemory(size: UInt64(bytes.count))
    try! m.write(bytes: bytes, at: 0)
    return m
}

private final class RecordingHost: HypercallHost {
    var reports: [[UInt8]] = []
    var marks = 0
    func recordMark(id: UInt64) -> Mark {
        marks += 1
        return Mark(id: id, nanos: 1, exits: UInt64(marks), exitsByKind: [:], stats: StatsSnapshot(values: [:]))
    }
    func keepReport(_ bytes: [UInt8]) { reports.append(bytes) }
    var logs: [([UInt8], UInt64)] = []
    func kernelLog(_ bytes: [UInt8], killedBy: UInt64) { logs.append((bytes, killedBy)) }
}
