/// Runs the benchmark binary as init in the built-in kernel, one benchmark
/// per boot, and returns its output and the VMM's marks.
struct GuestRunner {
    let kernelPath: String
    let benchBinary: [UInt8]
    let options: MachineOptions
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
    func run(arguments: [String], timeoutSeconds: Double) throws -> Run {
        var config = options.configuration(kernel: kernelPath)
        config.timeoutSeconds = timeoutSeconds
        config.profile = profile
        config.initrd = .bytes(try Initramfs.build(program: benchBinary, additions: []))
        config.commandLine = try KernelCommandLine.forInit(Initramfs.initPath, arguments: arguments,
                                                           extra: HostHugePagePolicy.kernelParameter())
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
