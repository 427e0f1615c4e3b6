import ArgumentParser
import Glibc

extension MemorySize: ExpressibleByArgument {
    init?(argument: String) { try? self.init(parsing: argument) }
}

/// The options every command that runs a guest takes.
struct MachineOptions: ParsableArguments {
    @Option(help: "Guest RAM: a multiple of 2M from 2M to 64G (K, M, G, T suffixes).")
    var memory: String = "256M"

    @Flag(help: "Populate and lock guest RAM before the guest starts (like QEMU -mem-prealloc).")
    var prealloc = false

    @Flag(help: "Ask for transparent huge pages for guest RAM (MADV_HUGEPAGE).")
    var hugepages = false

    @Option(help: "Stop the guest after this many seconds (status 124).")
    var timeout: Double?

    @Flag(help: "Print exit counts, handling times and KVM statistics to stderr at the end.")
    var exitStats = false

    @Option(help: "Write the same statistics, with the guest's marks, as JSON to this file.")
    var jsonStats: String?

    @Flag(help: "Let unknown ports and MMIO pass (reads return all ones) instead of stopping the guest.")
    var ignoreUnknownIO = false

    func validate() throws {
        do { _ = try MemorySize(parsing: memory) } catch { throw ValidationError("\(error)") }
        if let t = timeout, !(t > 0 && t <= 1e6) { throw ValidationError("--timeout must be between 0 and 1000000 seconds") }
    }

    /// These options with `vmm --prealloc SUBCOMMAND`'s flag folded in.
    func with(rootPrealloc: Bool) -> MachineOptions {
        var o = self
        o.prealloc = o.prealloc || rootPrealloc
        return o
    }

    /// A configuration for `kernel` with these options applied.
    func configuration(kernel: String) -> MachineConfiguration {
        var config = MachineConfiguration(kernelPath: kernel)
        config.memory = (try? MemorySize(parsing: memory)) ?? config.memory   // validated above
        config.preallocation.prealloc = prealloc
        config.preallocation.hugePages = hugepages
        config.timeoutSeconds = timeout
        config.ignoreUnknownIO = ignoreUnknownIO
        return config
    }

    /// Boots, runs, reports, and exits the process with the guest's status.
    func runAndExit(_ config: MachineConfiguration) -> Never {
        let machine: Machine
        let outcome: RunOutcome
        do {
            machine = try Machine(config)
            if config.preallocation.prealloc && !machine.setup.prefaultedStage2 && !exitStats {
                printError("vmm: KVM_PRE_FAULT_MEMORY is not offered by this KVM; the guest is asked to warm its own RAM")
            }
            outcome = try machine.run()
        } catch {
            fail(error)
        }

        if let message = outcome.reason.message { printError("vmm: \(message)") }
        if let dump = outcome.dump { for line in dump.lines { printError("  " + line) } }
        if outcome.reason == .tripleFault, case .hardware(let vendor) = KVMKind.detect(), vendor.hasPrefix("AMD") {
            // The VMCB is undefined after a SHUTDOWN intercept, so kvm_amd
            // resets the vCPU before reporting it (svm.c, shutdown_interception).
            printError("  (kvm_amd resets the vCPU on a triple fault: these are its reset values, not the faulting state)")
        }

        if exitStats || jsonStats != nil {
            let report = RunReport(setup: machine.setup, outcome: outcome,
                                   vmmResident: VMMResidentMemory.measure(memory: machine.memory),
                                   statsLayout: machine.stats?.layout)
            if exitStats { writeString(2, report.text()) }
            if let path = jsonStats {
                do { try writeFile(path, report.json(version: VMMCommand.version).serialized() + "\n") } catch {
                    printError("vmm: cannot write \(path): \(error)")
                    Glibc.exit(VMMExit.osError)
                }
            }
        }
        Glibc.exit(outcome.reason.exitStatus)
    }
}
