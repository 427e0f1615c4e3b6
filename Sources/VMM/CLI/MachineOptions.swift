import ArgumentParser
import Glibc

extension MemorySize: ExpressibleByArgument {
    init?(argument: String) { try? self.init(parsing: argument) }
}

extension WarmMode: ExpressibleByArgument {}

/// The options every command that runs a guest takes.
struct MachineOptions: ParsableArguments {
    // `.unconditional`: "--memory -2M" is a bad value, not a missing one
    // (ArgumentParser would otherwise read "-2M" as short options).
    @Option(parsing: .unconditional, help: "Guest RAM: a multiple of 2M from 2M to 64G (K, M, G, T suffixes).")
    var memory: String = "256M"

    @Flag(help: "Populate and lock guest RAM before the guest starts (like QEMU -mem-prealloc).")
    var prealloc = false

    // QEMU advises THP on guest RAM by default (hostmem: prealloc with
    // MADV_HUGEPAGE): 1 GiB populates in 512 faults instead of 262 144.
    @Flag(inversion: .prefixedNo, help: "Ask for transparent huge pages for guest RAM (MADV_HUGEPAGE), as QEMU does; --no-hugepages for 4 KiB pages.")
    var hugepages = true

    @Option(help: "Stage-2 warm-up: none, touch (the guest touches its RAM at boot) or prefault (KVM_PRE_FAULT_MEMORY). Default: prefault where KVM offers it, else touch, with --prealloc; none without.")
    var warm: WarmMode?

    @Option(parsing: .unconditional, help: "Stop the guest after this many seconds (status 124).")
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
        config.warm = warm
        config.ignoreUnknownIO = ignoreUnknownIO
        return config
    }

    /// Boots, runs, reports, and exits the process with the guest's status.
    /// `program` names the guest's program (`vmm run`'s /init) for the line
    /// a shell would print when it died of a signal.
    /// `profilePath`: where --profile's text goes (config.profile set).
    func runAndExit(_ config: MachineConfiguration, program: String? = nil, profilePath: String? = nil) -> Never {
        let machine: Machine
        let outcome: RunOutcome
        // A closed pipe on stdout is an EPIPE the console reports (status 74),
        // not a silent death by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        do {
            for path in [jsonStats, profilePath].compactMap({ $0 }) { try checkWritable(path) }   // before the run, not after it
            machine = try Machine(config)
            if config.warm == nil && machine.setup.warm.mode == .touch && !exitStats {
                printError("vmm: KVM_PRE_FAULT_MEMORY is not offered by this KVM; the guest is asked to warm its own RAM")
            }
            if machine.input?.isTerminal == true { HostTerminal.enterRaw() }
            outcome = try machine.run()
            HostTerminal.restore()
        } catch {
            HostTerminal.restore()
            fail(error)
        }

        if let message = outcome.reason.message { printError("vmm: \(message)") }
        if let name = program, case .guestExit(let v) = outcome.reason, let s = outcome.programKilledBy, v & 0xff == 128 + UInt32(s) {
            printError("vmm: \(name) killed by \(SignalName.name(s))")
        }
        if let dump = outcome.dump { for line in dump.lines { printError("  " + line) } }
        if outcome.reason == .tripleFault, case .hardware(let vendor) = KVMKind.detect(), vendor.hasPrefix("AMD") {
            // The VMCB is undefined after a SHUTDOWN intercept, so kvm_amd
            // resets the vCPU before reporting it (svm.c, shutdown_interception).
            printError("  (kvm_amd resets the vCPU on a triple fault: these are its reset values, not the faulting state)")
        }

        if let path = profilePath, let profile = outcome.profile {
            do { try writeFile(path, ProfileText.render(profile, kernel: config.kernelPath)) } catch { fail(error) }
        }
        if exitStats || jsonStats != nil {
            let report = RunReport(setup: machine.setup, outcome: outcome,
                                   vmmResident: VMMResidentMemory.measure(memory: machine.memory),
                                   statsLayout: machine.stats?.layout)
            if exitStats { writeString(2, report.text()) }
            if let path = jsonStats {
                do { try writeFile(path, report.json(version: VMMCommand.version).serialized() + "\n") } catch {
                    fail(error)
                }
            }
        }
        Glibc.exit(outcome.reason.exitStatus)
    }
}
