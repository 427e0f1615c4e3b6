import ArgumentParser

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a static Linux x86_64 program as init in the built-in Swift kernel.",
        discussion: """
            The program becomes /init in an initramfs that also holds /dev (null, zero, \
            random, urandom, tty, console) and /tmp. Its stdout and stderr reach vmm's \
            stdout; the kernel's own log lines (an unknown system call, a fatal signal) \
            reach vmm's stderr. vmm exits with the program's status (128 + signal when it \
            dies by one, and says so on stderr, as a shell does). vmm's own options go before PROGRAM; everything after it is PROGRAM's.
            """)

    @Option(name: .customLong("add"), help: ArgumentHelp("Also copy a host file into the image.", valueName: "HOST_PATH:GUEST_PATH"))
    var additions: [String] = []

    @Option(help: "Boot this kernel instead of the built-in one.")
    var kernel: String?

    @Option(help: ArgumentHelp("Single-step the guest kernel and write its instructions per kernel function, for the run and per window between guest marks, to this file (software-assisted KVM; README, \"Profiling the guest kernel\").", valueName: "FILE"))
    var profile: String?

    @OptionGroup var machine: MachineOptions

    @ParentCommand var root: VMMCommand

    @Argument(help: "The program: a static x86_64 ELF.")
    var program: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the program.")
    var arguments: [String] = []

    func run() throws {
        do {
            guard let kernelPath = kernel ?? BuiltInKernel.path else { throw BuiltInKernel.NotBuilt() }
            // The whole initramfs must fit in guest RAM: that bounds what is read.
            var budget = (try? MemorySize(parsing: machine.memory).bytes) ?? (1 << 30)
            func read(_ path: String) throws -> [UInt8] {
                let bytes = try ImageFile.readAll(path: path, limit: min(budget, 1 << 30))
                budget -= UInt64(bytes.count)
                return bytes
            }
            let programBytes = try read(program)
            var additions: [(Initramfs.Addition, [UInt8])] = []
            for text in RunCommandLine.current.additions + self.additions {
                let a = try Initramfs.Addition(parsing: text)
                additions.append((a, try read(a.hostPath)))
            }
            var config = machine.with(rootPrealloc: root.prealloc).configuration(kernel: kernelPath)
            config.initrd = .bytes(try Initramfs.build(program: programBytes, additions: additions))
            config.commandLine = try KernelCommandLine.forInit(Initramfs.initPath,
                                                           arguments: RunCommandLine.current.programArguments ?? arguments,
                                                           extra: HostHugePagePolicy.kernelParameter())
            config.profile = profile != nil
            machine.runAndExit(config, program: Initramfs.initPath, profilePath: profile)
        } catch {
            fail(error)
        }
    }
}
