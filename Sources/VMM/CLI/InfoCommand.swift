import ArgumentParser
import Glibc
import GuestKernel

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe this machine's KVM: kind, API version, capabilities, TSC.")

    func run() throws {
        let cpu = CPUInfo.read()
        var lines = ["vmm \(VMMCommand.version)", "cpu: \(cpu.modelName)", "kvm: \(KVMKind.detect().description)",
                     "outer hypervisor: " + (OuterHypervisor.detect()?.description ?? "none (CPUID.1:ECX bit 31 clear)"),
                     "built-in kernel: \(GuestKernel.elfPath)"]
        do {
            let kvm = try KVM()
            lines.append("kvm api version: \(KVM.stableAPIVersion)")
            for c in Capability.reported {
                lines.append("  KVM_CAP_\(c.name): \(kvm.checkExtension(c.number))")
            }
            let vm = try kvm.createVM()
            let vcpu = try vm.createVCPU(id: 0)
            if let khz = try? vcpu.getTSCKHz() { lines.append("guest tsc: \(khz) kHz") }
            if let stats = try? BinaryStatsReader(fd: try vcpu.getStatsFD()) {
                lines.append("vcpu statistics: " + stats.layout.descriptors.filter(\.isScalar).map(\.name).joined(separator: " "))
            }
        } catch {
            writeString(1, lines.joined(separator: "\n") + "\n")
            fail(error)
        }
        writeString(1, lines.joined(separator: "\n") + "\n")
    }
}
