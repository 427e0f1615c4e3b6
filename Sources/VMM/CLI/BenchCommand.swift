import ArgumentParser
import CKVM
import Glibc

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the syscall benchmark suite on the host and in the guest, and compare.",
        discussion: """
            Each benchmark runs natively (a child process) and in the guest (the built-in \
            kernel with the benchmark binary as init, one boot per benchmark), with a warm-up \
            and --repeat timed repetitions; medians are compared. Exits/op and guest-kernel \
            instructions/op come from the VMM's marks around each timed loop. Without --quick \
            or --full the iteration counts follow the machine: the reference counts on \
            hardware-assisted KVM, a time budget where guest ring 0 is emulated (software- \
            assisted KVM, or vmm under an emulator such as QEMU TCG). SIGINT/SIGTERM stop \
            the whole run: the table of what finished is printed, --json is marked \
            incomplete, and vmm exits 130/143. See README.md, "Benchmarks".
            """)

    @ParentCommand var root: VMMCommand

    @Option(help: "Only benchmarks whose name matches this regular expression.")
    var filter: String?

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Timed repetitions per benchmark and side.")
    var repetitions: Int = 5

    @Flag(help: "Scale iteration counts to a time budget (the default where guest ring 0 is emulated).")
    var quick = false

    @Flag(help: "Run the reference iteration counts (the default on hardware-assisted KVM).")
    var full = false

    @Option(name: .customLong("budget-ms"), parsing: .unconditional, help: "In budget mode: the time one repetition should take, per side.")
    var budgetMs: Int = 20

    @Option(parsing: .unconditional, help: "Pin the host benchmark process and the vCPU thread to this CPU.")
    var pin: Int?

    @Option(help: "Write every figure, the environment and versions as JSON to this file.")
    var json: String?

    @Option(help: "Draw the ratios and instructions/op as an SVG chart in this file.")
    var svg: String?

    @Option(help: "A saved --json result to compare with.")
    var baseline: String?

    @Flag(help: "With --baseline: exit 1 when a benchmark stopped running, exits/op rose above 0, instructions/op grew more than 5%, or (hardware-assisted KVM) a status is regression.")
    var check = false

    @Option(help: "The benchmark binary (default: the one `swift build` built).")
    var benchBinary: String?

    @Option(help: ArgumentHelp("The static BusyBox the workload benchmarks run on both sides (default: /bin/busybox when it is static).", valueName: "PATH"))
    var busybox: String?

    @Option(help: "The guest kernel (default: the built-in one).")
    var kernel: String?

    @Option(help: "A Linux bzImage: each benchmark also runs as /init of this Linux under the same vmm (needs hardware-assisted KVM).")
    var linuxKernel: String?

    @Option(name: .customLong("profile"), help: ArgumentHelp("Profile benchmark NAME instead: run it once in the guest under single-step and print its top kernel functions with instructions/op (README, \"Profiling the guest kernel\").", valueName: "NAME"))
    var profileName: String?

    @Option(name: .customLong("profile-iters"), parsing: .unconditional, help: "With --profile: iterations of the timed loop.")
    var profileIterations: Int = 100

    @Option(name: .customLong("profile-top"), parsing: .unconditional, help: "With --profile: how many functions to list.")
    var profileTop: Int = 25

    @OptionGroup var machine: MachineOptions

    func validate() throws {
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repeat must be between 1 and 1000") }
        guard (1...60_000).contains(budgetMs) else { throw ValidationError("--budget-ms must be between 1 and 60000") }
        if quick && full { throw ValidationError("--quick and --full exclude each other") }
        if let p = pin, p < 0 { throw ValidationError("--pin must be a CPU number (0 or more)") }
        if check && baseline == nil { throw ValidationError("--check needs --baseline FILE") }
        if let f = filter { do { _ = try Regex(f) } catch { throw ValidationError("--filter: \(error)") } }
        guard (1...1_000_000).contains(profileIterations) else { throw ValidationError("--profile-iters must be between 1 and 1000000") }
        guard (1...10_000).contains(profileTop) else { throw ValidationError("--profile-top must be between 1 and 10000") }
        if profileName != nil && (filter != nil || baseline != nil || json != nil || svg != nil) {
            throw ValidationError("--profile runs one benchmark in the guest only: --filter, --baseline, --json and --svg do not apply")
        }
    }

    func run() throws {
        do {
            if let name = profileName { try runProfile(name) } else { try runBench() }
        } catch let e as UserInterrupt.Stopped {
            Glibc.exit(128 + e.signal)
        } catch let e as BenchFailure {
            printError("vmm: \(e.what)")
            Glibc.exit(e.status)
        } catch {
            fail(error)
        }
    }

    struct BenchFailure: Error {
        let what: String
        let status: Int32
    }

    private func runBench() throws {
        // From here on SIGINT/SIGTERM stop the run in order instead of killing vmm.
        try UserInterrupt.install()
        if let cpu = pin { try HostRunner.pinCurrentProcess(to: cpu) }
        guard let binary = benchBinary ?? BuiltInBench.path else {
            throw BenchFailure(what: "the benchmark binary is not available in this build: pass --bench-binary PATH", status: VMMExit.noInput)
        }
        guard let kernelPath = kernel ?? BuiltInKernel.path else { throw BuiltInKernel.NotBuilt() }
        let machine = self.machine.with(rootPrealloc: root.prealloc)
        // Inputs and outputs are checked before anything runs: a missing
        // binary is 66, a bad baseline names itself, an unwritable --json or
        // --svg fails now rather than after the whole suite.
        let benchBytes = try ImageFile.readAll(path: binary, limit: 1 << 30)
        let baselineEntries: [String: Baseline.Entry]? = try baseline.map { path in
            let bytes = try ImageFile.readAll(path: path, limit: Baseline.maxFileSize)
            do { return try Baseline.load(String(decoding: bytes, as: UTF8.self)) } catch {
                throw BenchFailure(what: "baseline \(path): \(error)", status: VMMExit.dataError)
            }
        }
        for path in [json, svg].compactMap({ $0 }) { try checkWritable(path) }
        if let path = linuxKernel {
            // A bad image or the wrong KVM is refused before anything runs.
            _ = try BzImage(bytes: try ImageFile.readAll(path: path, limit: 1 << 30))
            if case .software(let module) = KVMKind.detect() { throw LinuxGuestError.softwareKVM(module: module) }
        }
        let tools = try busybox.map { try BenchBusyBox(path: $0) } ?? BenchBusyBox.standard()
        defer { tools?.remove() }

        // The suite, in the table's order: the binary lists it.
        let listing = try HostRunner.run(binary, ["--list"])
        let all = listing.output.split(separator: "\n").map(String.init)
        guard listing.status == 0, !all.isEmpty else {
            throw BenchFailure(what: "\(binary) --list failed", status: VMMExit.dataError)
        }
        let pattern = try filter.map { try Regex($0) }
        let selected = all.enumerated().filter { _, name in pattern.map { name.contains($0) } ?? true }
        guard !selected.isEmpty else { throw BenchFailure(what: "--filter matches no benchmark", status: VMMExit.usage) }

        let kind = KVMKind.detect()
        let hypervisor = OuterHypervisor.detect()
        let mode = IterationMode.choose(full: full, quick: quick, kind: kind, hypervisor: hypervisor)
        // The guest's slowdown against the host side: only where guest ring 0
        // alone is emulated (software-assisted KVM). Under an emulating outer
        // hypervisor (QEMU TCG) the host side is emulated too, so the host's
        // ns/op already carries the emulation: a nested kvm_amd guest runs at
        // about the host's pace there.
        let ringZeroEmulated = kind.isSoftware
        var common = ["--repeat", String(repetitions)]
        if mode.isBudget { common += ["--quick", "--budget-ms", String(budgetMs)] }
        let guestRunner = GuestRunner(kernelPath: kernelPath, benchBinary: benchBytes, options: machine)
        let linuxRunner = linuxKernel.map { GuestRunner(kernelPath: $0, benchBinary: benchBytes, options: machine, linux: true) }
        var environment = BenchEnvironment(
            cpuModel: CPUInfo.read().modelName, kvmKind: kind, hypervisor: hypervisor,
            memory: (try? MemorySize(parsing: machine.memory)) ?? MemorySize(bytes: 256 << 20),
            preallocated: machine.prealloc, pinnedCPU: pin, mode: mode, budgetMs: budgetMs, repeatCount: repetitions,
            vmmVersion: VMMCommand.version, linuxKernel: linuxKernel)
        printError("vmm bench: \(selected.count) benchmark\(selected.count == 1 ? "" : "s"), "
                   + (mode.isBudget ? "a time budget of \(budgetMs) ms per repetition" : "the reference iteration counts")
                   + " (\(mode.reason))")
        if selected.contains(where: { BenchBusyBox.workloads.contains($0.1) }) {
            printError("vmm bench: workloads run " + (tools.map { "BusyBox \($0.path) on both sides" }
                       ?? "what each side has (no static BusyBox: --busybox PATH)"))
        }

        var rows: [BenchRow] = []
        var interruptedBy: Int32?
        let start = monotonicNanos()
        for (n, (index, name)) in selected.enumerated() {
            if let s = UserInterrupt.signal { interruptedBy = s; break }
            let tag = "[\(n + 1)/\(selected.count)] \(name)"
            // Elapsed, and what is left at the mean pace of the finished benchmarks.
            func progress(_ what: String, done: Int) {
                let elapsed = Double(monotonicNanos() - start) / 1e9
                let left = done == 0 ? "estimating what is left"
                    : "about " + clockDuration(seconds: elapsed / Double(done) * Double(selected.count - done)) + " left"
                printError("\(tag): \(what) (elapsed \(clockDuration(seconds: elapsed)), \(left))")
            }
            progress("host", done: n)
            let host: (output: String, status: Int32)
            let workload = BenchBusyBox.workloads.contains(name) ? tools : nil
            do { host = try HostRunner.run(binary, common + [name], environment: workload?.hostEnvironment) } catch let e as UserInterrupt.Stopped {
                interruptedBy = e.signal; break
            }
            let hostOutput = BenchOutput(text: host.output)
            // Against a baseline the guest repeats the baseline's work exactly.
            var guestArguments = common + [name]
            var guestIterations: UInt64? = mode.isBudget ? nil : hostOutput.repetitions[name]?.first?.iterations
            if let n = baselineEntries?[name]?.guestIterations {
                guestArguments = ["--repeat", String(repetitions), "--iters", String(n), name]
                guestIterations = n
            }
            let work = GuestWork(iterations: guestIterations, budgetMs: budgetMs, repetitions: repetitions,
                                 hostNanosPerOp: Summary(hostOutput.repetitions[name]?.map(\.nanosPerOp) ?? [])?.median,
                                 emulated: ringZeroEmulated)
            if work.tooLong && machine.timeout == nil && baselineEntries?[name]?.guestIterations != nil {
                throw BenchFailure(what: "\(name): the baseline's \(guestIterations ?? 0) iterations per repetition would take about "
                                   + "\(clockDuration(seconds: work.expectedSeconds)) in this guest (from the host's ns/op); "
                                   + "the baseline was made where the guest is faster: use one made on this kind of KVM, or pass --timeout SECONDS to run it anyway",
                                   status: VMMExit.usage)
            }
            progress("guest, watchdog \(clockDuration(seconds: machine.timeout ?? work.watchdogSeconds))", done: n)
            let guest = try guestRunner.run(arguments: guestArguments, timeoutSeconds: machine.timeout ?? work.watchdogSeconds,
                                            busybox: workload?.files)
            if case .signal(let s) = guest.stop { interruptedBy = s; break }
            environment.warm = guest.warm.mode
            environment.warmBoots.append(guest.warm)
            var row = BenchRow.make(name: name, index: index, host: hostOutput, guest: guest.output,
                                    guestCosts: MarkBrackets.costs(guest.marks, cumulative: guest.cumulativeStats)[index] ?? [:],
                                    countsInstructions: guest.countsInstructions)
            if row.status == .skipped, row.reason == "guest: the run ended before this benchmark finished" || row.reason == "guest: no result" {
                row.reason = "guest: " + (guest.stop.message ?? "exited with status \(guest.stop.exitStatus)")
            }
            if let runner = linuxRunner {
                // The same work as the Swift guest's: its iteration count where it had one.
                var linuxArguments = guestArguments
                if let n = row.guestRepetitions.first?.iterations, baselineEntries?[name]?.guestIterations == nil {
                    linuxArguments = ["--repeat", String(repetitions), "--iters", String(n), name]
                }
                progress("linux guest", done: n)
                // The workloads get the same BusyBox in Linux's initramfs as in the Swift guest's.
                let run = try runner.run(arguments: linuxArguments, timeoutSeconds: machine.timeout ?? work.watchdogSeconds + 120,
                                         busybox: workload?.files)
                if case .signal(let s) = run.stop { interruptedBy = s; break }
                row.addLinux(output: run.output, costs: MarkBrackets.costs(run.marks, cumulative: run.cumulativeStats)[index] ?? [:])
                if row.linux == nil, row.linuxReason == nil || row.linuxReason == "linux: the run ended before this benchmark finished"
                    || row.linuxReason == "linux: no result" {
                    row.linuxReason = "linux: " + (run.stop.message ?? "exited with status \(run.stop.exitStatus)")
                }
            }
            progress(row.ratio.map { "ratio \(BenchReport.fixed($0, 2))" } ?? "skipped: \(row.reason ?? "")", done: n + 1)
            rows.append(row)
        }

        var report = BenchReport(environment: environment, rows: rows)
        if let s = interruptedBy { report.interrupted = (s, selected.count) }
        writeString(1, report.table())
        printError("vmm bench: \(rows.count) benchmark\(rows.count == 1 ? "" : "s") in \(clockDuration(seconds: Double(monotonicNanos() - start) / 1e9))")
        if let path = json { try writeFile(path, report.json().serialized() + "\n") }
        if let path = svg { try writeFile(path, SVGChart.render(report)) }
        if let s = interruptedBy {
            if baseline != nil { writeString(1, "baseline: not compared (the run was interrupted)\n") }
            throw UserInterrupt.Stopped(signal: s)
        }
        if let path = baseline, let entries = baselineEntries {
            let problems = Baseline.problems(current: rows, baseline: entries, hardware: environment.predictsBareMetal)
            if problems.isEmpty {
                writeString(1, "baseline \(path): no benchmark got worse\n")
            } else {
                writeString(1, "baseline \(path): \(problems.count) problem\(problems.count == 1 ? "" : "s")\n")
                for p in problems { writeString(1, "  \(p)\n") }
                if check { throw BenchFailure(what: "benchmark check against \(path) failed", status: 1) }
            }
        }
    }
}
