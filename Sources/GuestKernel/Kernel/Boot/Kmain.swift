import KernelSupport

/// Called by _start (entry.S) with the boot-info physical address (RDI).
@c(kmain)
func kmain(_ bootInfo: UInt64) {
    Console.initialize()
    guard let boot = BootParameters.read(physical: bootInfo) else {
        Console.write("[kernel] bad boot info (magic, ABI version or size)\n")
        exitVM(UInt32(VMM_KERNEL_EXIT_BAD_BOOT_INFO))
    }
    Hypercall.bootMarks = hasWord(Physical.bytes(boot.cmdlineAddress), boot.cmdlineSize, "bootmarks")
    Hypercall.bootMark(0x101)
    Random.seed()
    Clock.bootTSC = rdtsc()
    if boot.tscKHz > 0 { Clock.tscKHz = boot.tscKHz }

    FrameAllocator.initialize(bootInfo: bootInfo,
                              kernelEnd: kernel_end_address() &- Physical.kernelVirtualBase)
    if boot.has(VMM_BOOT_FLAG_TOUCH_RAM) { BootStats.touchedPages = FrameAllocator.touchAll() }

    Hypercall.bootMark(0x102)
    guard PageTable.buildKernel(ramSize: boot.ramSize) else { panic("out of memory building the kernel page tables") }
    write_cr3(PageTable.kernelPML4)
    Physical.offset = Physical.directMapBase      // identity map gone from here on

    guard Descriptors.install() else { panic("out of memory for GDT/IDT") }
    SyscallMSRs.install()
    Processes.initialize()
    OpenFiles.initialize()
    Tmpfs.initialize()

    let cmdline = CommandLine(Physical.bytes(boot.cmdlineAddress), boot.cmdlineSize)
    Console.quiet = cmdline.quiet
    Console.echo = cmdline.debug
    if let policy = cmdline.hugePages { TransparentHugePages.policy = policy }
    Hypercall.bootMark(0x103)
    if cmdline.faultTest { kernel_ud2() }
    startInit(boot: boot, cmdline: cmdline)
}

/// Loads init from the initramfs into a new process and enters it in ring 3.
func startInit(boot: BootParameters, cmdline: CommandLine) -> Never {
    guard boot.initrdSize > 0 else { noInit("no initrd") }
    let archive = CpioArchive(base: UnsafePointer(Physical.bytes(boot.initrdAddress)), size: Int(boot.initrdSize))
    Initramfs.load(archive)
    guard let file = archive.find(cmdline.initPath, cmdline.initPathLength) else { noInit("init not found in the initrd") }
    guard file.mode & 0o170000 == 0o100000 else { noInit("init is not a regular file") }
    guard let p = Processes.create() else { panic("no process slot") }
    // stdin, stdout, stderr: one /dev/console description, read-write (init/main.c).
    var console = OpenFile()
    console.kind = .console
    console.statusFlags = 2
    console.mode = 0o020620
    console.inode = 2
    guard let c = OpenFiles.create(console) else { panic("no open-file slot") }
    OpenFiles.retain(c)
    OpenFiles.retain(c)
    for fd in 0..<3 { p.pointee.files.install(fd, c, cloexec: false) }
    let (image, error) = ElfLoader.load(file.data, size: file.dataSize, into: p)
    guard let img = image else {
        switch error {
        case .dynamic: noInit("init is dynamically linked (PT_INTERP): only static programs run")
        case .noMemory: panic("out of memory loading init")
        default: noInit("init is not a loadable static x86_64 ELF")
        }
    }
    p.pointee.brkStart = pageUp(img.end) ?? img.end
    p.pointee.brk = p.pointee.brkStart
    let stackBottom = Process.stackTop - Process.stackSize
    guard p.pointee.vmas.insert(VMA(start: stackBottom, end: Process.stackTop, prot: Prot.read | Prot.write)) else {
        panic("no room for the stack area")
    }
    var args = StringList(capacity: cmdline.args.count + 1)
    _ = args.append(cmdline.initPath, cmdline.initPathLength)
    for i in 0..<cmdline.args.count { _ = args.append(cmdline.args.ptrs[i], cmdline.args.lens[i]) }
    var env = StringList(capacity: cmdline.env.count + 2)
    _ = env.append("HOME=/")
    _ = env.append("TERM=linux")
    for i in 0..<cmdline.env.count { _ = env.append(cmdline.env.ptrs[i], cmdline.env.lens[i]) }
    guard let sp = InitialStack.build(p, image: img, path: cmdline.initPath, pathLength: cmdline.initPathLength,
                                      args: args, env: env) else { noInit("arguments and environment too large") }
    if cmdline.debug {
        Console.write("[kernel] init loaded: ")
        Console.dec(BootStats.borrowedPages)
        Console.write(" initrd pages mapped in place, ")
        Console.dec(BootStats.copiedBytes)
        Console.write(" bytes copied; ")
        Console.dec(BootStats.touchedPages)
        Console.write(" pages touched; ")
        Console.dec(FrameAllocator.totalFrames)
        Console.write(" free frames at boot\n")
    }
    Hypercall.bootMark(0x104)
    Processes.switchTo(p)
    Descriptors.setKernelStack(kernel_stack_top_address())
    enter_user(img.entry, sp, 0x2)        // IF clear: no interrupt source exists yet
}

func noInit(_ why: StaticString) -> Never {
    Console.write("[kernel] cannot start init: ")
    Console.write(why)
    Console.write("\n")
    exitVM(UInt32(VMM_KERNEL_EXIT_NO_INIT))
}

/// `word` appears as a whole word in the command line.
func hasWord(_ text: UnsafePointer<UInt8>, _ length: Int, _ word: StaticString) -> Bool {
    let n = word.utf8CodeUnitCount
    var i = 0
    while i + n <= length {
        if (i == 0 || text[i - 1] == 0x20) && bytesEqual(text + i, word.utf8Start, n) && (i + n == length || text[i + n] == 0x20) {
            return true
        }
        i += 1
    }
    return false
}
