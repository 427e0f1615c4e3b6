import CKVM
import Glibc

extension BenchCommand {
    /// `vmm bench --profile NAME`: one guest boot running NAME with
    /// --profile-iters iterations and one timed repetition, single-stepped;
    /// prints the timed window's functions per operation (BenchProfile).
    func runProfile(_ name: String) throws {
        try UserInterrupt.install()
        if let cpu = pin { try HostRunner.pinCurrentProcess(to: cpu) }
        guard let binary = benchBinary ?? BuiltInBench.path else {
            throw BenchFailure(what: "the benchmark binary is not available in this build: pass --bench-binary PATH", status: VMMExit.noInput)
        }
        guard let kernelPath = kernel ?? BuiltInKernel.path else { throw BuiltInKernel.NotBuilt() }
        let listing = try HostRunner.run(binary, ["--list"])
        let all = listing.output.split(separator: "\n").map(String.init)
        guard listing.status == 0, !all.isEmpty else { throw BenchFailure(what: "\(binary) --list failed", status: VMMExit.dataError) }
        guard let index = all.firstIndex(of: name) else {
            throw BenchFailure(what: "--profile: unknown benchmark \(name) (`\(binary) --list` lists them)", status: VMMExit.usage)
        }
        let kind = KVMKind.detect()
        if !kind.isSoftware {
            // Hardware-assisted KVM steps user code too, and insn_emulation is no instruction count there.
            printError("vmm bench --profile: hardware-assisted KVM: untested; user-mode steps are listed as (user mode) and the insn_emulation check does not apply")
        }
        var runner = GuestRunner(kernelPath: kernelPath, benchBinary: try ImageFile.readAll(path: binary, limit: 1 << 30),
                                 options: machine.with(rootPrealloc: root.prealloc))
        runner.profile = true
        printError("vmm bench --profile: \(name), \(profileIterations) iterations single-stepped in the guest")
        // The workloads get their BusyBox in the initramfs, as in `vmm bench`.
        let tools = BenchBusyBox.workloads.contains(name) ? try busybox.map { try BenchBusyBox(path: $0) } ?? BenchBusyBox.standard() : nil
        defer { tools?.remove() }
        let guest = try runner.run(arguments: ["--repeat", "1", "--iters", String(profileIterations), name],
                                   timeoutSeconds: machine.timeout ?? 1800, busybox: tools?.files)
        if case .signal(let s) = guest.stop { throw UserInterrupt.Stopped(signal: s) }
        if let why = guest.output.skipped[name] { throw BenchFailure(what: "\(name): skipped in the guest: \(why)", status: VMMExit.software) }
        guard let iterations = guest.output.repetitions[name]?.first?.iterations, let profile = guest.profile else {
            throw BenchFailure(what: "\(name): no result from the guest (" + (guest.stop.message ?? "exited with status \(guest.stop.exitStatus)") + ")",
                               status: VMMExit.software)
        }
        do {
            let p = try BenchProfile(profile, benchmark: index, iterations: iterations, name: name)
            writeString(1, p.text(name: name, top: profileTop))
        } catch {
            throw BenchFailure(what: "\(error)", status: VMMExit.software)
        }
    }
}
