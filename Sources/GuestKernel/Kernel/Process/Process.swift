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
        return pointee.vmas.area(containing: va)
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
            // A slot is new (Process(): an empty descriptor table) or was
            // freed by destroy (every descriptor closed); the rest of its
            // state starts as a new process's, here and nowhere else.
            t[i].vmas.count = 0
            t[i].brkStart = 0
            t[i].brk = 0
            t[i].mmapTop = Process.mmapBase
            t[i].hasHugePages = false
            t[i].fsBase = 0
            t[i].clearChildTid = 0
            t[i].robustList = 0
            t[i].signalMask = 0
            zero_qwords(t[i].sigactions, 64 * 4)
            t[i].umask = 0o022
            t[i].cwdLength = 0
            return t + i
        }
        return nil
    }

    /// Ends process `p`: frees every frame it owns (user pages, then the user
    /// half's page tables and the PML4; borrowed initrd pages stay), closes
    /// every descriptor (pipes and tmpfs files are released as on Linux's
    /// exit) and frees its slot. When `p` is running, CR3 goes to the kernel's PML4 first and no
    /// process is current afterwards (UserMemory must then walk tables).
    static func destroy(_ p: UnsafeMutablePointer<Process>) {
        guard p.pointee.used else { return }
        if current == p {
            write_cr3(PageTable.kernelPML4)
            current = nil
            currentPid = 0
        }
        let pml4 = p.pointee.pml4
        if pml4 != 0 {
            PageTable.destroyUserHalf(pml4)
        }
        for fd in 0..<FileTable.capacity { p.pointee.files.close(fd) }
        p.pointee.vmas.items.release()
        p.pointee.pml4 = 0
        p.pointee.used = false          // the rest is reset when the slot is reused (create)
    }

    static func switchTo(_ p: UnsafeMutablePointer<Process>) {
        current = p
        currentPid = p.pointee.pid
        write_cr3(p.pointee.pml4)
        wrmsr(SyscallMSRs.fsBase, p.pointee.fsBase)
    }
}
