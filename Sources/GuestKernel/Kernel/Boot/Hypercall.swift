import KernelSupport

/// The VMM's hypercall port (vmm_guest_abi.h): a 32-bit write of a record's
/// physical address. The record lives in the kernel image (below 2 GiB,
/// reachable through the kernel mapping in every address space).
enum Hypercall {
    nonisolated(unsafe) static var record = vmm_hypercall()
    /// Boot-stage marks (`bootmarks` on the command line): ids 0x101...
    nonisolated(unsafe) static var bootMarks = false

    static func mark(_ id: UInt64) -> Int64 { issue(UInt16(VMM_HC_MARK), id) }

    /// VMM_HC_REPORT: `length` bytes of text at physical `address`.
    static func report(_ address: UInt64, _ length: Int) -> Int64 {
        issue(UInt16(VMM_HC_REPORT), address, UInt64(length))
    }

    /// VMM_HC_LOG: one kernel log line; `killedBy` is the signal that killed
    /// the running program when the line says so, else 0.
    static func log(_ address: UInt64, _ length: Int, killedBy: UInt64) -> Int64 {
        issue(UInt16(VMM_HC_LOG), address, UInt64(length), killedBy)
    }

    /// VMM_HC_CONSOLE_READ: up to `length` received console bytes into
    /// physical `address`; the count (or a VMM_HC_* error) and whether the
    /// input has ended with nothing left.
    static func consoleRead(_ address: UInt64, _ length: Int) -> (Int64, Bool) {
        let n = issue(UInt16(VMM_HC_CONSOLE_READ), address, UInt64(length))
        return (n, record.arg2 == 1)
    }

    /// Fills the record and writes its physical address to the hypercall
    /// port; the VMM has written the result back when `outl` returns.
    @inline(__always)
    private static func issue(_ op: UInt16, _ arg0: UInt64, _ arg1: UInt64 = 0, _ arg2: UInt64 = 0) -> Int64 {
        withUnsafeMutablePointer(to: &record) { r in
            r.pointee.magic = VMM_HYPERCALL_MAGIC
            r.pointee.abi_version = UInt16(VMM_ABI_VERSION)
            r.pointee.op = op
            r.pointee.result = 0
            r.pointee.arg0 = arg0
            r.pointee.arg1 = arg1
            r.pointee.arg2 = arg2
            let physical = UInt64(UInt(bitPattern: r)) &- Physical.kernelVirtualBase
            outl(UInt16(VMM_PORT_HYPERCALL), UInt32(truncatingIfNeeded: physical))
            return r.pointee.result
        }
    }

    static func bootMark(_ id: UInt64) {
        if bootMarks { _ = mark(id) }
    }
}
