import KernelSupport

/// The programs of the kernel command line (`init=/a -- x ; /b y`,
/// BootCommandLine), run one after the other by the kernel context: each
/// in a new process (new pid, fresh address space, stdin/stdout/stderr on a
/// new /dev/console description, the same environment), started when the
/// previous one exits or is killed. The VM exits with the last one's status.
/// One program alone behaves as init always did: the VM exits with its status
/// at once (no teardown), and a missing or bad init is VMM_KERNEL_EXIT_NO_INIT.
enum RunList {
    nonisolated(unsafe) static var cmdline: BootCommandLine? = nil
    /// The program (index in the list) running now.
    nonisolated(unsafe) static var index = 0

    /// Why a program could not start.
    enum Failure {
        case noInitrd, notFound, notRegular, dynamic, notELF, noMemory, tooLarge

        var reason: StaticString {
            switch self {
            case .noInitrd: return "no initrd"
            case .notFound: return "not found in the initrd"
            case .notRegular: return "not a regular file"
            case .dynamic: return "dynamically linked (PT_INTERP): only static programs run"
            case .notELF: return "not a loadable static x86_64 ELF"
            case .noMemory: return "out of memory"
            case .tooLarge: return "arguments and environment too large"
            }
        }
    }

    /// The slot of the program running now (its parent is the kernel).
    nonisolated(unsafe) static var slot = -1

    /// The kernel context after boot (kmain's stack), as Linux's init
    /// creation: each program of the list in turn becomes a new process
    /// (program 0 is pid 1, init); while it runs this loop schedules the
    /// runnable tasks and idles when none is; when the program is a zombie it
    /// is logged and reaped and the next starts. A program that cannot start
    /// is logged and counts as status 127 (a shell's "command not found").
    static func start() -> Never {
        guard let c = cmdline else { panic("no command line") }
        var k = 0
        while k < c.programCount {
            if let failure = launch(k, c) {
                let (path, pathLength) = c.path(k)
                if c.programCount == 1 {
                    if failure == .noMemory { panic("out of memory loading init") }
                    Console.write("[kernel] cannot start init ")
                    Console.write(bytes: path, count: pathLength)
                    Console.write(": ")
                    Console.write(failure.reason)
                    Console.write("\n")
                    exitVM(UInt32(VMM_KERNEL_EXIT_NO_INIT))
                }
                Console.log("cannot start ")
                Console.write(bytes: path, count: pathLength)
                Console.write(": ")
                Console.write(failure.reason)
                Console.write(" (status 127)")
                Console.endLog()
                k += 1
                if k >= c.programCount { exitVM(127) }
                continue
            }
            guard let t = Processes.table else { panic("no process table") }
            let p = t + slot
            while p.pointee.state != .zombie {
                if let next = Scheduler.pick() { Scheduler.run(next) } else { Scheduler.idleWait() }
            }
            programEnded(p, c)
            k += 1
        }
        exitVM(127)             // not reached: the last program's end exits
    }

    /// Loads program `k` into a new process, runnable; nil once it is, else
    /// why it cannot start, with nothing left behind.
    static func launch(_ k: Int, _ c: BootCommandLine) -> Failure? {
        index = k
        let (path, pathLength) = c.path(k)
        guard let archive = Initramfs.archive else { return .noInitrd }
        let (name, nameLength) = archive.stripPrefix(path, pathLength)
        guard let file = Initramfs.find(name, nameLength) else { return .notFound }    // the index: no header parsing
        guard file.mode & 0o170000 == 0o100000 else { return .notRegular }
        guard let p = Processes.create(parent: -1) else { panic("no process slot") }
        p.pointee.state = .stopped          // not runnable before its image is complete
        // stdin, stdout, stderr: one /dev/console description, read-write (init/main.c).
        var console = OpenFile()
        console.kind = .console
        console.statusFlags = 2
        console.mode = 0o020620
        console.inode = 2
        guard let con = OpenFiles.create(console) else { panic("no open-file slot") }
        OpenFiles.retain(con)
        OpenFiles.retain(con)
        for fd in 0..<3 { p.pointee.files.install(fd, con, cloexec: false) }
        if TTYInput.mode == .pipe {
            // stdin a pipe from vmm's stdin (ConsoleInputOps); stdout, stderr the console.
            var input = OpenFile()
            input.kind = .consoleInput
            input.mode = 0o010600
            input.inode = ConsoleInputOps.inode
            if let i = OpenFiles.create(input) { p.pointee.files.install(0, i, cloexec: false) }
        }
        TTYInput.control(p)
        let range = c.arguments(k)
        var args = StringList(capacity: range.count + 1)
        let (argv0, argv0Length) = c.argv0(k)
        _ = args.append(argv0, argv0Length)
        for i in range { _ = args.append(c.args.ptrs[i], c.args.lens[i]) }
        var env = StringList(capacity: c.env.count + 2)
        _ = env.append("HOME=/")
        _ = env.append("TERM=linux")
        for i in 0..<c.env.count { _ = env.append(c.env.ptrs[i], c.env.lens[i]) }
        let (entry, sp, failure) = Exec.load(p, .initrd(file.data, size: file.dataSize), path: path, pathLength: pathLength,
                                             args: args, env: env)
        args.deallocate()
        env.deallocate()
        if let failure = failure {
            Processes.destroy(p)
            switch failure {
            case .dynamic: return .dynamic
            case .noMemory: return .noMemory
            case .notELF: return .notELF
            case .tooLarge: return .tooLarge
            }
        }
        if k == 0 && c.debug {
            Console.write("[kernel] init loaded: ")
            Console.dec(BootStats.borrowedPages)
            Console.write(" initrd pages mapped in place, ")
            Console.dec(BootStats.copiedBytes)
            Console.write(" bytes copied; ")
            Console.dec(BootStats.warmTouches)
            Console.write(" touches warmed RAM; ")
            Console.dec(FrameAllocator.totalFrames)
            Console.write(" frames of RAM\n")
        }
        if k == 0 { Hypercall.bootMark(0x104) }
        Processes.startUser(p, entry: entry, stack: sp)
        slot = Processes.slot(p)
        return nil
    }

    /// A process ended with Linux wait status `waitStatus`. The program
    /// alone is init: the VM ends at once with its status, as a shell reports
    /// it (128 + signal when killed), with no teardown; so does the last one
    /// of a list. Other processes go on (false).
    static func endsVM(_ p: UnsafeMutablePointer<Process>, waitStatus: Int32) -> Bool {
        guard let c = cmdline, Processes.slot(p) == slot, index + 1 >= c.programCount else { return false }
        if c.programCount > 1 { logEnd(p.pointee.pid, shellStatus(waitStatus), c, frames: false) }
        exitVM(shellStatus(waitStatus))
    }

    static func shellStatus(_ ws: Int32) -> UInt32 { UInt32(WaitStatus.shellStatus(ws)) }

    /// Program `index` is a zombie: a log line (with `debug`, the free frames
    /// after its teardown: the same program run again must give the same
    /// count), then its slot is freed.
    static func programEnded(_ p: UnsafeMutablePointer<Process>, _ c: BootCommandLine) {
        let s = shellStatus(p.pointee.waitStatus)
        let pid = p.pointee.pid
        Processes.destroy(p)
        slot = -1
        logEnd(pid, s, c, frames: c.debug)
    }

    static func logEnd(_ pid: Int32, _ s: UInt32, _ c: BootCommandLine, frames: Bool) {
        let (path, pathLength) = c.path(index)
        Console.log("pid ")
        Console.dec(UInt64(UInt32(bitPattern: pid)))
        Console.write(" (")
        Console.write(bytes: path, count: pathLength)
        Console.write(") exited with status ")
        Console.dec(UInt64(s))
        if frames {
            Console.write("; ")
            Console.dec(FrameAllocator.available)
            Console.write(" frames free, ")
            Console.dec(BootStats.hugePageFaults)
            Console.write(" 2 MiB pages faulted in so far")
        }
        Console.endLog()
    }
}
