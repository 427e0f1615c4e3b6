/// Runs the benchmark binary as init in the built-in kernel, one benchmark
/// per boot, and returns its output and the VMM's marks. With `linux`, the
/// kernel is a Linux bzImage (`vmm bench --linux-kernel`): the same
/// initramfs plus BusyBox's tools where the host has /bin/busybox, and the
/// binary's `--vmm-ports` (marks and exit status by port I/O).
struct GuestRunner {
    let kernelPath: String
    let benchBinary: [UInt8]
    let options: MachineOptions
    var linux = false

    /// Linux's command line before init's: the console on COM1, a panic
    /// resets at once (status 119). (Not nokaslr: the kernel proper does not
    /// know it and passes it to init as an argument.)
    static let linuxParameters = "console=ttyS0 quiet panic=-1 reboot=k"
    /// Single-step the guest (`vmm bench --profile`).
    var profile = false

    struct Run {
        let output: BenchOutput
        let marks: [Mark]
        let stop: StopReason
        let countsInstructions: Bool
        /// The vCPU's cumulative statistics (the ones a bracket's delta means something for).
        let cumulativeStats: Set<String>
        /// This boot's warm-up, with the host's populate and mlock times.
        let warm: WarmReport
        let profile: InstructionProfile?
    }

    /// One boot; the watchdog (`timeoutSeconds`) is the caller's, per run.
    /// `busybox`: in the initramfs too (the workload benchmarks).
    func run(arguments: [String], timeoutSeconds: Double, busybox: BusyBox? = nil) throws -> Run {
        var config = options.configuration(kernel: kernelPath)
        config.timeoutSeconds = timeoutSeconds
        config.profile = profile
        config.initrd = .bytes(try Initramfs.build(program: benchBinary, additions: [], busybox: busybox))
        if linux {
            let extra = [Self.linuxParameters, HostHugePagePolicy.kernelParameter()].filter { !$0.isEmpty }
            config.commandLine = try KernelCommandLine.forInit(Initramfs.initPath, arguments: ["--vmm-ports"] + arguments,
                                                               extra: extra.joined(separator: " "))
        } else {
            config.commandLine = try KernelCommandLine.forInit(Initramfs.initPath, arguments: arguments,
                                                               extra: HostHugePagePolicy.kernelParameter())
        }
        let console = CapturedConsole()
        config.console = console
        config.kernelLog = nil      // the table gives each skip its reason
        let machine = try Machine(config)
        let outcome = try machine.run()
        var warm = machine.setup.warm
        warm.read(marks: outcome.marks)
        warm.populateNanos = machine.setup.preallocation.populateNanos
        warm.lockNanos = machine.setup.preallocation.lockNanos
        return Run(output: BenchOutput(text: console.text), marks: outcome.marks, stop: outcome.reason,
                   countsInstructions: machine.setup.kvmKind.isSoftware && machine.stats?.layout.descriptors
                       .contains { $0.name == "insn_emulation" } == true,
                   cumulativeStats: Set(machine.stats?.layout.descriptors.filter { $0.isScalar && $0.kind == .cumulative }
                       .map(\.name) ?? []), warm: warm, profile: outcome.profile)
    }
}
