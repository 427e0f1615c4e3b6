import ArgumentParser
import Glibc

@main
struct VMMCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "vmm",
        abstract: "A minimal KVM hypervisor for measuring system-call latency in a guest against the host.",
        discussion: "Exit statuses: the guest's exit-port value (0-255), or see README.md.",
        subcommands: [BootCommand.self, RunCommand.self, BenchCommand.self, InfoCommand.self]
    )

    @Flag(name: .customLong("version"), help: "Print the version and the kind of KVM on this machine.")
    var showVersion = false

    /// `vmm --prealloc bench`: the same as `vmm bench --prealloc`.
    @Flag(help: "Preallocate guest RAM (for the subcommand that follows).")
    var prealloc = false

    /// ArgumentParser's entry point, after `vmm run`'s long lists are split
    /// off (RunCommandLine).
    static func main() {
        RunCommandLine.current = RunCommandLine.split(Array(CommandLine.arguments.dropFirst()))
        main(RunCommandLine.current.words)
    }

    func run() throws {
        if showVersion {
            writeString(1, "vmm \(Self.version)\n\(KVMKind.detect().description)\n")
            return
        }
        writeString(1, Self.helpMessage() + "\n")
    }
}

/// Prints one line for a setup error and exits with its documented status.
func fail(_ error: Error) -> Never {
    printError("vmm: \(error)")
    Glibc.exit(VMMExit.status(for: error))
}
