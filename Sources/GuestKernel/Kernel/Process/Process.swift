import KernelSupport

/// One process: its address space, memory areas and the per-process state the
/// syscalls of this issue record. `fork`/`execve` (next issue) add slots here.
struct Process {
    var pid: Int32 = 0
    var used = false
    var pml4: UInt64 = 0
    var vmas = VMAList()
    var brkStart: UInt64 = 0
    var brk: UInt64 = 0
    var mmapTop: UInt64 = 0          // top-down search for mmap without a hint
    var fsBase: UInt64 = 0
    var clearChildTid: UInt64 = 0
    var robustList: UInt64 = 0
    var signalMask: UInt64 = 0
    var sigactions: UnsafeMutablePointer<UInt64> = .allocate(capacity: 64 * 4)  // 64 x kernel_sigaction
    var umask: UInt32 = 0o022
    var files = FileTable()
    /// Working directory, normalized without the leading slash ("" is /).
    var cwd: UnsafeMutablePointer<UInt8> = .allocate(capacity: Path.max + 1)
    var cwdLength = 0
    var scratch: UnsafeMutablePointer<UInt8> = .allocate(capacity: Path.max + 1)
    /// Some 2 MiB page was mapped: munmap/mprotect/madvise/brk must split the
    /// ones their range ends inside (a process without any skips that walk).
    var hasHugePages = false

    static let brkMax: UInt64 = 1 << 30
    static let stackTop: UInt64 = 0x7fff_ffff_f000
    static let stackSize: UInt64 = 8 << 20     // RLIMIT_STACK default
    static let mmapBase: UInt64 = 0x7f00_0000_0000

}

extension UnsafeMutablePointer where Pointee == Process {
    /// The area holding `va` (the heap as one read-write area), or nil. On
    /// the pointer, not on Process: a method of the struct reached through
    /// `pointee` copies the whole struct first (a `rep movs` on the fault path).
    func area(of va: UInt64) -> VMA? {
        let brkStart = pointee.brkStart
        if va >= brkStart, let top = pageUp(pointee.brk), va < top { return VMA(start: brkStart, end: top, prot: Prot.read | Prot.write) }
        let vmas = pointee.vmas
        if let i = vmas.find(va) { return vmas.items[i] }
        return nil
    }
}

/// The process table. Slot 0 is init (pid 1).
enum Processes {
    static let capacity = 16
    nonisolated(unsafe) static var table = UnsafeMutablePointer<Process>(bitPattern: 0)
    /// The running process; read on every system call.
    nonisolated(unsafe) static var current = UnsafeMutablePointer<Process>(bitPattern: 0)
    nonisolated(unsafe) static var currentPid: Int32 = 0
    nonisolated(unsafe) static var nextPid: Int32 = 1

    /// Slots are initialized when first used (Process() allocates its tables).
    nonisolated(unsafe) static var ready = UnsafeMutablePointer<Bool>(bitPattern: 0)

    static func initialize() {
        table = UnsafeMutablePointer<Process>.allocate(capacity: capacity)
        ready = zeroedTable(of: Bool.self, count: capacity)
    }

    static func create() -> UnsafeMutablePointer<Process>? {
        guard let t = table, let r = ready else { return nil }
        for i in 0..<capacity where !r[i] || !t[i].used {
            if !r[i] { (t + i).initialize(to: Process()); r[i] = true }
            guard let pml4 = PageTable.newAddressSpace() else { return nil }
            t[i].used = true
            t[i].pid = nextPid
            nextPid += 1
            t[i].pml4 = pml4
            t[i].mmapTop = Process.mmapBase
            t[i].hasHugePages = false
            zero_qwords(t[i].sigactions, 64 * 4)
            for fd in 0..<FileTable.capacity { t[i].files.close(fd) }
            return t + i
        }
        return nil
    }

    static func switchTo(_ p: UnsafeMutablePointer<Process>) {
        current = p
        currentPid = p.pointee.pid
        write_cr3(p.pointee.pml4)
        wrmsr(SyscallMSRs.fsBase, p.pointee.fsBase)
    }
}
