import KernelSupport

/// The programs of the kernel command line (`init=/a -- x ; /b y`,
/// BootCommandLine), run one after the other until fork/execve exist: each
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

    /// Starts program `first`, or the first after it that can start, and
    /// enters it in ring 3. In a list, a program that cannot start is logged
    /// and counts as status 127 (a shell's "command not found").
    static func start(_ first: Int) -> Never {
        guard let c = cmdline else { panic("no command line") }
        var k = first
        while true {
            let failure = launch(k, c)        // returns only when program k did not start
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
        }
    }

    /// Loads program `k` into a new process and enters it (never returns
    /// then); returns why it cannot start otherwise, with nothing left behind.
    static func launch(_ k: Int, _ c: BootCommandLine) -> Failure {
        index = k
        let (path, pathLength) = c.path(k)
        guard let archive = Initramfs.archive else { return .noInitrd }
        let (name, nameLength) = archive.stripPrefix(path, pathLength)
        guard let file = Initramfs.find(name, nameLength) else { return .notFound }    // the index: no header parsing
        guard file.mode & 0o170000 == 0o100000 else { return .notRegular }
        guard let p = Processes.create() else { panic("no process slot") }
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
        let (image, error) = ElfLoader.load(file.data, size: file.dataSize, into: p)
        guard let img = image else {
            Processes.destroy(p)
            switch error {
            case .dynamic: return .dynamic
            case .noMemory: return .noMemory
            default: return .notELF
            }
        }
        p.pointee.brkStart = pageUp(img.end) ?? img.end
        p.pointee.brk = p.pointee.brkStart
        let stackBottom = Process.stackTop - Process.stackSize
        guard p.pointee.vmas.insert(VMA(start: stackBottom, end: Process.stackTop, prot: Prot.read | Prot.write)) else {
            panic("no room for the stack area")
        }
        let range = c.arguments(k)
        var args = StringList(capacity: range.count + 1)
        _ = args.append(path, pathLength)
        for i in range { _ = args.append(c.args.ptrs[i], c.args.lens[i]) }
        var env = StringList(capacity: c.env.count + 2)
        _ = env.append("HOME=/")
        _ = env.append("TERM=linux")
        for i in 0..<c.env.count { _ = env.append(c.env.ptrs[i], c.env.lens[i]) }
        let stack = InitialStack.build(p, image: img, path: path, pathLength: pathLength, args: args, env: env)
        args.deallocate()
        env.deallocate()
        guard let sp = stack else {
            Processes.destroy(p)
            return .tooLarge
        }
        if k == 0 && c.debug {
            Console.write("[kernel] init loaded: ")
            Console.dec(BootStats.borrowedPages)
            Console.write(" initrd pages mapped in place, ")
            Console.dec(BootStats.copiedBytes)
            Console.write(" bytes copied; ")
            Console.dec(BootStats.touchedPages)
            Console.write(" pages touched; ")
            Console.dec(FrameAllocator.totalFrames)
            Console.write(" frames of RAM\n")
        }
        if k == 0 { Hypercall.bootMark(0x104) }
        Processes.switchTo(p)
        Descriptors.setKernelStack(kernel_stack_top_address())
        // From a later program's start, this abandons the frames of the kernel
        // entry that ended the previous one (entry.S, enter_user).
        enter_user(img.entry, sp, 0x2)        // IF clear: no interrupt source exists yet
    }

    /// The running program is gone with `status` (as a shell reports it:
    /// 128 + signal when killed). Alone, it ends the VM at once; in a list the
    /// kernel logs the end (with `debug`, the free frames after the teardown:
    /// the same program run again must give the same count), tears the
    /// process down and starts the next one, or ends the VM after the last.
    static func programEnded(status: UInt32) -> Never {
        let s = status & 0xff
        guard let c = cmdline, c.programCount > 1 else { exitVM(s) }
        let last = index + 1 >= c.programCount
        let pid = Processes.currentPid
        if !last, let p = Processes.current { Processes.destroy(p) }
        let (path, pathLength) = c.path(index)
        Console.log("pid ")
        Console.dec(UInt64(UInt32(bitPattern: pid)))
        Console.write(" (")
        Console.write(bytes: path, count: pathLength)
        Console.write(") exited with status ")
        Console.dec(UInt64(s))
        if c.debug && !last {
            Console.write("; ")
            Console.dec(FrameAllocator.available)
            Console.write(" frames free, ")
            Console.dec(BootStats.hugePageFaults)
            Console.write(" 2 MiB pages faulted in so far")
        }
        Console.endLog()
        if last { exitVM(s) }
        start(index + 1)
    }
}
