import CKVM
import Glibc

/// Everything `vmm boot` was asked to do.
struct MachineConfiguration {
    var kernelPath: String
    var memory = MemorySize(bytes: 256 << 20)
    var preallocation = PreallocationOptions()
    var initrd: InitrdSource?
    var commandLine = ""
    var timeoutSeconds: Double?
    var ignoreUnknownIO = false
    var console: ConsoleSink = FileConsole()
    /// Where the guest kernel's log lines go (VMM_HC_LOG): vmm's stderr by
    /// default; nil keeps them only for the report (`vmm bench`).
    var kernelLog: ConsoleSink? = FileConsole(fd: 2)
    /// `--warm`; nil: WarmMode.choose's default.
    var warm: WarmMode?
    /// Single-step the guest and count its instructions by kernel function (--profile).
    var profile = false
    /// vmm's stdin as the console's input (`vmm run`); nil: the UART
    /// receives nothing (`vmm bench`'s guests).
    var input: ConsoleInput?
    /// vmm's stdin as the console's input if the kernel is a Linux bzImage
    /// (`vmm boot`: Linux's 8250 driver reads it on ttyS0). An ELF kernel
    /// booted by `vmm boot` is not told of an input (no `console.input=`) and
    /// gets none: vmm leaves its stdin and the terminal alone.
    var linuxInput: ConsoleInput?
}

/// Where the initrd comes from: a file (`vmm boot --initrd`) or bytes built
/// in memory (the initramfs of `vmm run`).
enum InitrdSource {
    case file(String)
    case bytes([UInt8])
}

/// What happened while setting the machine up, for the stats report.
struct SetupReport {
    var kvmKind: KVMKind
    var memory: MemorySize
    var preallocation: PreallocationReport
    var prefaultedStage2 = false
    var warm = WarmReport()
    var notes: [String] = []
    var tscKHz: UInt64 = 0
    var setupNanos: UInt64 = 0
    var bootFlags: UInt64 = 0
    var irqchip = IRQChip.Decision.none
}

/// Builds a VM from a configuration and runs it: the data flow of
/// architecture.md, one direction, top to bottom.
final class Machine {
    let configuration: MachineConfiguration
    let kvm: KVM
    let vm: VirtualMachine
    let vcpu: VCPU
    let memory: GuestMemory
    let stats: BinaryStatsReader?
    /// The booted kernel's function symbols, with --profile.
    let profileSymbols: KernelSymbols?
    private(set) var setup: SetupReport
    /// A bzImage booted by the Linux boot protocol, with the PC devices.
    private(set) var isLinux = false
    /// vmm's stdin as COM1's receiver, if this guest gets it.
    private(set) var input: ConsoleInput?

    init(_ config: MachineConfiguration) throws {
        let t0 = monotonicNanos()
        configuration = config
        let ramSize = config.memory.bytes

        // 1. Validate inputs before allocating anything large.
        let kernelFile = try ImageFile(path: config.kernelPath)
        defer { kernelFile.close() }
        let kernelBytes = try kernelFile.readAll(limit: ramSize)
        // (A bzImage has no symbols to profile with: KernelSymbols refuses it, status 65.)
        profileSymbols = config.profile ? try KernelSymbols(elf: kernelBytes) : nil
        let cmdline = Array(config.commandLine.utf8)
        var initrdFile: ImageFile?
        defer { initrdFile?.close() }
        var initrdSize: UInt64 = 0
        switch config.initrd {
        case .file(let path)?:
            initrdFile = try ImageFile(path: path)
            initrdSize = initrdFile?.size ?? 0
        case .bytes(let bytes)?:
            initrdSize = UInt64(bytes.count)
        case nil:
            break
        }
        // A bzImage boots by the Linux boot protocol (LinuxBoot), anything
        // else must be the ELF kernel of vmm_guest_abi.h.
        var image: ELFImage?
        var linux: LinuxBoot?
        var initrdBase: UInt64 = 0
        var map = MemoryMap(ramSize: ramSize, kernel: [], initrd: nil)
        if BzImage.recognizes(kernelBytes) {
            let bz = try BzImage(bytes: kernelBytes)
            let boot = try LinuxBoot(image: bz, commandLine: cmdline, initrdSize: config.initrd == nil ? nil : initrdSize,
                                     ramSize: ramSize)
            if case .software(let module) = KVMKind.detect() { throw LinuxGuestError.softwareKVM(module: module) }
            initrdBase = boot.initrdAddress
            linux = boot
        } else {
            let elf = try ELFImage(bytes: kernelBytes)
            try elf.validatePlacement(ramSize: ramSize)
            guard cmdline.count <= BootInfo.maxCommandLine else { throw BootError.commandLineTooLong(cmdline.count) }
            if config.initrd != nil {
                let kernelEnd = elf.segments.map(\.physicalEnd).max() ?? X86.reservedEnd
                guard let base = MemoryMap.initrdPlacement(size: initrdSize, ramSize: ramSize, kernelEnd: kernelEnd) else {
                    throw BootError.initrdDoesNotFit(size: initrdSize, ramSize: ramSize)
                }
                initrdBase = base
            }
            // The boot info holds VMM_MEMMAP_MAX entries: a map that needs more
            // (many separate PT_LOAD segments) is refused, never cut short
            // (which would hide the top of RAM from the guest).
            map = MemoryMap(ramSize: ramSize,
                            kernel: elf.segments.map { ($0.physicalAddress, $0.memorySize) },
                            initrd: config.initrd == nil ? nil : (initrdBase, initrdSize))
            guard map.entries.count <= BootInfo.maxMapEntries else {
                throw BootError.memoryMapTooLarge(entries: map.entries.count, segments: elf.segments.count)
            }
            image = elf
        }

        // 2. KVM, then guest RAM (populated and locked before the guest exists).
        kvm = try KVM()
        setup = SetupReport(kvmKind: .detect(), memory: config.memory, preallocation: PreallocationReport())
        memory = try GuestMemory(size: ramSize, alignment: config.preallocation.hugePages ? Preallocation.hugePageSize : 4096)
        setup.preallocation = try Preallocation.prepare(memory, config.preallocation)
        setup.notes += setup.preallocation.notes

        vm = try kvm.createVM()
        try vm.setUserMemoryRegion(slot: 0, guestPhysicalAddress: 0, size: ramSize, host: memory.base)
        var cpuid = try kvm.supportedCPUID()
        let tscDeadlineCap = kvm.checkExtension(Capability.tscDeadlineTimer.number)
        if linux != nil {
            // Linux's PC: the irqchip before the vCPU (KVM API doc 4.24), the PIT after it.
            try vm.setTSSAddress(LinuxBoot.tssAddress)
            try vm.createIRQChip()
            try vm.createPIT2()
            cpuid = LinuxBoot.cpuid(cpuid, tscDeadline: tscDeadlineCap > 0)
        } else {
            setup.irqchip = IRQChip.decide(features: image?.features ?? 0, irqchipCap: kvm.checkExtension(Capability.irqchip.number),
                                           tscDeadlineCap: tscDeadlineCap)
            if case .created = setup.irqchip { try vm.createIRQChip() }          // before the vCPU: its LAPIC
            if setup.irqchip == .unavailable {
                setup.notes.append("the kernel asks for an in-kernel irqchip, but KVM has no KVM_CAP_IRQCHIP: no timer interrupts")
            }
            if setup.irqchip == .created(tscDeadline: true) { cpuid = IRQChip.withTSCDeadline(cpuid) }
        }
        vcpu = try vm.createVCPU(id: 0)
        try vcpu.setCPUID2(cpuid)
        if kvm.checkExtension(Capability.getTSCKHz.number) > 0 { setup.tscKHz = (try? vcpu.getTSCKHz()) ?? 0 }
        stats = kvm.checkExtension(Capability.binaryStatsFD.number) > 0
            ? try BinaryStatsReader(fd: try vcpu.getStatsFD()) : nil

        // 3. Load the image, the initrd, the boot structures.
        if let linux {
            let bz = linux.image
            try memory.write(bytes: kernelBytes[bz.kernelOffset..<(bz.kernelOffset + bz.kernelSize)], at: bz.loadAddress)
        }
        for s in image?.segments ?? [] where s.fileSize > 0 {
            let start = Int(s.fileOffset)
            try memory.write(bytes: kernelBytes[start..<start + Int(s.fileSize)], at: s.physicalAddress)
        }   // the rest of each segment (bss) is fresh anonymous memory: already zero
        switch config.initrd {
        case .file?:
            if let f = initrdFile { try memory.withMutableBytes(at: initrdBase, count: Int(f.size)) { try f.read(into: $0) } }
        case .bytes(let bytes)?:
            try memory.write(bytes: bytes, at: initrdBase)
        case nil:
            break
        }
        for page in BootPageTables.build(ramSize: ramSize) {
            try page.entries.withUnsafeBytes { try memory.write(bytes: $0, at: page.address) }
        }
        for (i, d) in GDT.entries().enumerated() { try memory.write(d, at: X86.gdtAddress + UInt64(i) * 8) }

        // 4. Stage-2 warm-up (--warm): KVM_PRE_FAULT_MEMORY, or ask the guest to touch its RAM.
        var flags: UInt64 = 0
        if config.preallocation.prealloc { flags |= BootInfo.Flag.preallocated }
        let offered = kvm.checkExtension(Capability.preFaultMemory.number) > 0
        setup.warm.mode = try WarmMode.choose(requested: config.warm, preallocated: config.preallocation.prealloc,
                                              prefaultOffered: offered)
        if linux != nil && setup.warm.mode == .touch {
            // Linux does not read the VMM's boot flags: nothing would touch its RAM.
            if config.warm == .touch { setup.notes.append("--warm touch: a Linux guest does not read the boot flag TOUCH_RAM; no warm-up") }
            setup.warm.mode = .none
        }
        switch setup.warm.mode {
        case .prefault:
            let before = stats?.snapshot().values[Stage2Faults.statistic]
            let t = monotonicNanos()
            try vcpu.preFaultMemory(gpa: 0, size: ramSize)
            setup.warm.prefaultNanos = monotonicNanos() - t
            if let b = before, let a = stats?.snapshot().values[Stage2Faults.statistic], a >= b {
                setup.warm.prefaultFaults = a - b
            }
            setup.prefaultedStage2 = true
            flags |= BootInfo.Flag.stage2Warm
        case .touch:
            flags |= BootInfo.Flag.touchRAM
            if config.preallocation.prealloc && HugePageBacking.wholly(base: memory.base, size: memory.size) {
                flags |= BootInfo.Flag.hugeBacked
                setup.warm.touchStride = HugePageBacking.pageSize
            } else {
                setup.warm.touchStride = 4096
            }
            if config.warm == nil && linux == nil {
                setup.notes.append("KVM_CAP_PRE_FAULT_MEMORY is absent: stage-2 not pre-faulted; the guest is asked to touch its RAM (boot flag TOUCH_RAM)")
            }
        case .none:
            break
        }
        if setup.preallocation.hugePagesAdvised { flags |= BootInfo.Flag.hugePages }
        if setup.kvmKind.isSoftware { flags |= BootInfo.Flag.softwareKVM }
        if case .created = setup.irqchip { flags |= BootInfo.Flag.irqchip }
        setup.bootFlags = flags

        if let linux {
            try memory.write(bytes: linux.zeroPage(ramSize: ramSize).encode(), at: LinuxBoot.zeroPageAddress)
            try memory.write(bytes: linux.commandLine + [0], at: LinuxBoot.commandLineAddress)
            try memory.write(bytes: LinuxBoot.mpTable(cpuid), at: MPTable.address)
            for t in ACPITables.build() { try memory.write(bytes: t.bytes, at: t.address) }
        } else {
            let info = BootInfo(flags: flags, ramSize: ramSize, tscKHz: setup.tscKHz, realtimeNanos: realtimeNanos(),
                                initrdAddress: initrdBase, initrdSize: initrdSize,
                                commandLine: cmdline, memoryMap: map)
            try memory.write(bytes: info.encode(), at: X86.bootInfoAddress)
        }
        isLinux = linux != nil
        input = isLinux ? config.input ?? config.linuxInput : config.input

        // 5. The vCPU at the entry point, in long mode.
        try vcpu.setSpecialRegisters(LongMode.specialRegisters(from: try vcpu.getSpecialRegisters()))
        if let linux {
            try vcpu.setRegisters(LinuxBoot.registers(entry: linux.image.entry64))
        } else if let image {
            try vcpu.setRegisters(LongMode.registers(entry: image.entry))
        }
        setup.setupNanos = monotonicNanos() - t0
    }

    /// Runs the guest on the vCPU thread (confined by seccomp) and waits.
    func run() throws -> RunOutcome {
        let loop = RunLoop(vcpu: vcpu, memory: memory, stats: stats, console: configuration.console,
                           kernelLog: configuration.kernelLog,
                           // A PC bus answers every port: Linux probes for devices that are not there.
                           ignoreUnknownIO: configuration.ignoreUnknownIO || isLinux,
                           timeoutSeconds: configuration.timeoutSeconds, pcDevicesVM: isLinux ? vm : nil,
                           irqchipVM: setup.irqchip == .none || setup.irqchip == .unavailable ? nil : vm,
                           input: input, profileSymbols: profileSymbols)
        return try VCPUThread.run(watch: haltWatch()) { try loop.run() }
    }

    /// With an in-kernel irqchip HLT blocks inside KVM: the main thread
    /// watches for a halt nothing can end (HaltWatch); nil without one, or
    /// when KVM lacks the statistics it needs.
    private func haltWatch() -> ((pthread_t) -> Void)? {
        let irqchip: Bool
        if case .created = setup.irqchip { irqchip = true } else { irqchip = isLinux }
        guard irqchip, let sample = HaltWatch.sampler(stats) else { return nil }
        var watch = HaltWatch()
        return { thread in
            guard let s = sample(), watch.observe(blocking: s.blocking, haltExits: s.haltExits,
                                                  now: Double(monotonicNanos()) / 1e9) else { return }
            _ = ckvm_halt_check_request(thread)
        }
    }
}
