import CKVM

/// A hypercall request record (`struct vmm_hypercall`, vmm_guest_abi.h),
/// read from and written back to guest RAM with checked accesses.
struct HypercallRecord: Equatable {
    var magic: UInt32
    var abiVersion: UInt16
    var op: UInt16
    var result: Int64
    var args: (UInt64, UInt64, UInt64, UInt64)

    static let size = UInt64(MemoryLayout<vmm_hypercall>.size)
    static let magicValue = UInt32(VMM_HYPERCALL_MAGIC)
    static let opMark = UInt16(VMM_HC_MARK)
    static let opReport = UInt16(VMM_HC_REPORT)
    static let opLog = UInt16(VMM_HC_LOG)
    static let opConsoleRead = UInt16(VMM_HC_CONSOLE_READ)
    static let reportMax = UInt64(VMM_REPORT_MAX)

    static func == (a: HypercallRecord, b: HypercallRecord) -> Bool {
        a.magic == b.magic && a.abiVersion == b.abiVersion && a.op == b.op && a.result == b.result
            && a.args == b.args
    }

    static func read(at address: UInt64, from memory: GuestMemory) throws -> HypercallRecord {
        let o = try memory.checkedRange(address, size)
        let h = memory.base.loadUnaligned(fromByteOffset: o, as: vmm_hypercall.self)
        return HypercallRecord(magic: h.magic, abiVersion: h.abi_version, op: h.op, result: h.result,
                               args: (h.arg0, h.arg1, h.arg2, h.arg3))
    }

    func write(at address: UInt64, to memory: GuestMemory) throws {
        let h = vmm_hypercall(magic: magic, abi_version: abiVersion, op: op, result: result,
                              arg0: args.0, arg1: args.1, arg2: args.2, arg3: args.3)
        try memory.write(value: h, at: address)
    }
}

/// A point in time the guest asked the VMM to record (VMM_HC_MARK).
struct Mark: Equatable {
    let id: UInt64
    /// Since the VM started running.
    let nanos: UInt64
    /// Exits the VMM had handled, including the mark's own.
    let exits: UInt64
    /// Exits per kind at that point.
    let exitsByKind: [ExitKind: UInt64]
    /// KVM's binary statistics at that point (empty without a stats fd).
    let stats: StatsSnapshot
}

extension HypercallHost {
    func recordMark(id: UInt64, port: UInt16) -> Mark { recordMark(id: id) }
}

/// What the hypercall device needs from the run loop.
protocol HypercallHost: AnyObject {
    /// Records a mark now and returns it.
    func recordMark(id: UInt64) -> Mark
    /// The same, for a mark that arrived on `port` (VMM_PORT_MARK).
    func recordMark(id: UInt64, port: UInt16) -> Mark
    /// Keeps a report the guest sent.
    func keepReport(_ bytes: [UInt8])
    /// A line of the kernel's log (VMM_HC_LOG); `killedBy` is the signal
    /// that killed the running program when the line says so, else 0.
    func kernelLog(_ bytes: [UInt8], killedBy: UInt64)
    /// Bytes the console received (VMM_HC_CONSOLE_READ) into `buffer`: how
    /// many, and whether its input has ended with nothing left.
    func consoleRead(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, drained: Bool)
}

extension HypercallHost {
    func consoleRead(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, drained: Bool) { (0, false) }
}

/// The hypercall port's logic: validates the record, performs it, writes the
/// result back. Returns false when the record itself was unreachable (so no
/// result could be written).
enum HypercallDevice {
    static func perform(address: UInt64, memory: GuestMemory, host: HypercallHost) -> Bool {
        guard address % 8 == 0, var record = try? HypercallRecord.read(at: address, from: memory) else {
            return false
        }
        record.result = execute(&record, memory: memory, host: host)
        return (try? record.write(at: address, to: memory)) != nil
    }

    private static func execute(_ r: inout HypercallRecord, memory: GuestMemory, host: HypercallHost) -> Int64 {
        guard r.magic == HypercallRecord.magicValue, r.abiVersion == UInt16(VMM_ABI_VERSION) else {
            return Int64(VMM_HC_EINVAL)
        }
        switch r.op {
        case HypercallRecord.opMark:
            let m = host.recordMark(id: r.args.0)
            r.args.1 = m.exits
            r.args.2 = m.stats.values["insn_emulation"] ?? ~0
            r.args.3 = m.nanos
            return Int64(VMM_HC_OK)
        case HypercallRecord.opReport, HypercallRecord.opLog:
            let (address, length) = (r.args.0, r.args.1)
            guard length <= HypercallRecord.reportMax else { return Int64(VMM_HC_EINVAL) }
            guard let bytes = try? memory.readBytes(at: address, count: Int(length)) else {
                return Int64(VMM_HC_EFAULT)
            }
            if r.op == HypercallRecord.opLog { host.kernelLog(bytes, killedBy: r.args.2) } else { host.keepReport(bytes) }
            return Int64(VMM_HC_OK)
        case HypercallRecord.opConsoleRead:
            let (address, length) = (r.args.0, r.args.1)
            guard length <= HypercallRecord.reportMax else { return Int64(VMM_HC_EINVAL) }
            guard let (n, drained) = try? memory.withMutableBytes(at: address, count: Int(length), {
                host.consoleRead(into: $0)
            }) else { return Int64(VMM_HC_EFAULT) }
            r.args.2 = drained ? 1 : 0
            return Int64(n)
        default:
            return Int64(VMM_HC_ENOSYS)
        }
    }
}
