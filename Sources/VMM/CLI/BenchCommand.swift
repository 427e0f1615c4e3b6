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
            instructions/op come from the VMM's marks around each timed loop. See README.md, \
            "Benchmarks".
            """)

    @ParentCommand var root: VMMCommand

    @Option(help: "Only benchmarks whose name matches this regular expression.")
    var filter: String?

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Timed repetitions per benchmark and side.")
    var repetitions: Int = 5

    @Flag(help: "Scale iteration counts to a time budget instead of the reference counts.")
    var quick = false

    @Option(name: .customLong("budget-ms"), parsing: .unconditional, help: "With --quick: the time one repetition should take, per side.")
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

    @Option(help: "The guest kernel (default: the built-in one).")
    var kernel: String?

    @OptionGroup var machine: MachineOptions

    func validate() throws {
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repeat must be between 1 and 1000") }
        guard (1...60_000).contains(budgetMs) else { throw ValidationError("--budget-ms must be between 1 and 60000") }
        if let p = pin, p < 0 { throw ValidationError("--pin must be a CPU number (0 or more)") }
        if check && baseline == nil { throw ValidationError("--check needs --baseline FILE") }
        if let f = filter { do { _ = try Regex(f) } catch { throw ValidationError("--filter: \(error)") } }
    }

    func run() throws {
        do {
            try runBench()
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

        // The suite, in the table's order: the binary lists it.
        let listing = try HostRunner.run(binary, ["--list"])
        let all = listing.output.split(separator: "\n").map(String.init)
        guard listing.status == 0, !all.isEmpty else {
            throw BenchFailure(what: "\(binary) --list failed", status: VMMExit.dataError)
        }
        let pattern = try filter.map { try Regex($0) }
        let selected = all.enumerated().filter { _, name in pattern.map { name.contains($0) } ?? true }
        guard !selected.isEmpty else { throw BenchFailure(what: "--filter matches no benchmark", status: VMMExit.usage) }

        var common = ["--repeat", String(repetitions)]
        if quick { common += ["--quick", "--budget-ms", String(budgetMs)] }
        let guestRunner = GuestRunner(kernelPath: kernelPath, benchBinary: benchBytes,
                                      options: machine, timeoutSeconds: machine.timeout ?? 300)
        let kind = KVMKind.detect()
        var rows: [BenchRow] = []
        for (n, (index, name)) in selected.enumerated() {
            let tag = "[\(n + 1)/\(selected.count)] \(name)"
            printError("\(tag): host")
            let host = try HostRunner.run(binary, common + [name])
            // Against a baseline the guest repeats the baseline's work exactly.
            var guestArguments = common + [name]
            if let n = baselineEntries?[name]?.guestIterations {
                guestArguments = ["--repeat", String(repetitions), "--iters", String(n), name]
            }
            printError("\(tag): guest")
            let guest = try guestRunner.run(arguments: guestArguments)
            var row = BenchRow.make(name: name, index: index, host: BenchOutput(text: host.output), guest: guest.output,
                                    guestCosts: MarkBrackets.costs(guest.marks)[index] ?? [:],
                                    countsInstructions: guest.countsInstructions)
            if row.status == .skipped, row.reason == "guest: the run ended before this benchmark finished" || row.reason == "guest: no result" {
                row.reason = "guest: " + (guest.stop.message ?? "exited with status \(guest.stop.exitStatus)")
            }
            printError("\(tag): " + (row.ratio.map { "ratio \(BenchReport.fixed($0, 2))" } ?? "skipped (\(row.reason ?? ""))"))
            rows.append(row)
        }

        let environment = BenchEnvironment(
            cpuModel: CPUInfo.read().modelName, kvmKind: kind,
            memory: (try? MemorySize(parsing: machine.memory)) ?? MemorySize(bytes: 256 << 20),
            preallocated: machine.prealloc, pinnedCPU: pin, quick: quick, repeatCount: repetitions,
            vmmVersion: VMMCommand.version)
        let report = BenchReport(environment: environment, rows: rows)
        writeString(1, report.table())
        if let path = json { try writeFile(path, report.json().serialized() + "\n") }
        if let path = svg { try writeFile(path, SVGChart.render(report)) }
        if let path = baseline, let entries = baselineEntries {
            let problems = Baseline.problems(current: rows, baseline: entries,
                                             hardware: { if case .hardware = kind { return true } else { return false } }())
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
