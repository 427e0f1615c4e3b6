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
    Clock.bootRealtime = boot.realtimeNanos
    Vdso.publish()

    FrameAllocator.initialize(bootInfo: bootInfo,
                              kernelEnd: kernel_end_address() &- Physical.kernelVirtualBase)
    if boot.has(VMM_BOOT_FLAG_TOUCH_RAM) {
        _ = Hypercall.mark(VMM_MARK_TOUCH_RAM_BEGIN)
        BootStats.warmTouches = FrameAllocator.touchAll(stride: boot.has(VMM_BOOT_FLAG_HUGE_BACKED) ? 2 << 20 : Physical.pageSize)
        _ = Hypercall.mark(VMM_MARK_TOUCH_RAM_END)
    }

    Hypercall.bootMark(0x102)
    guard PageTable.buildKernel(ramSize: boot.ramSize) else { panic("out of memory building the kernel page tables") }
    write_cr3(PageTable.kernelPML4)
    Physical.offset = Physical.directMapBase      // identity map gone from here on
    guard FrameShares.initialize(ramEnd: FrameAllocator.highestEnd) else { panic("out of memory for the frame share counts") }

    guard Descriptors.install() else { panic("out of memory for GDT/IDT") }
    SyscallMSRs.install()
    LAPIC.initialize(irqchip: boot.has(VMM_BOOT_FLAG_IRQCHIP))
    Timers.initialize()
    Processes.initialize()
    OpenFiles.initialize()
    Tmpfs.initialize()

    let cmdline = BootCommandLine(Physical.bytes(boot.cmdlineAddress), boot.cmdlineSize)
    Console.quiet = cmdline.quiet
    Console.echo = cmdline.debug
    if let policy = cmdline.hugePages { TransparentHugePages.policy = policy }
    TTYInput.initialize(cmdline.consoleInput)
    Hypercall.bootMark(0x103)
    if cmdline.faultTest { kernel_ud2() }
    if boot.initrdSize > 0 {
        Initramfs.load(CpioArchive(base: UnsafePointer(Physical.bytes(boot.initrdAddress)), size: Int(boot.initrdSize)))
        Tmpfs.seed()
    }
    if cmdline.droppedPrograms > 0 {
        Console.log("run list longer than ")
        Console.dec(UInt64(BootCommandLine.maxPrograms))
        Console.write(" programs: ")
        Console.dec(UInt64(cmdline.droppedPrograms))
        Console.write(" not run")
        Console.endLog()
    }
    RunList.cmdline = cmdline
    RunList.start()
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
