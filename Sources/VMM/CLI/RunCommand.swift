import ArgumentParser
import Glibc

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a static Linux x86_64 program as init in the built-in Swift kernel.",
        discussion: """
            The program becomes /init in an initramfs that also holds /dev (null, zero, \
            random, urandom, tty, console) and /tmp, with argv[0] PROGRAM as given (a \
            multi-call binary such as BusyBox picks its applet by it; --argv0 for another). \
            --rootfs packs a host directory tree into the image as `find . | cpio -H newc` \
            would (modes, owners, mtimes, symbolic links); --busybox adds a static BusyBox \
            at /bin/busybox with a link for each applet it lists. vmm's stdin reaches the \
            guest through the serial port: on a terminal the program's stdin is the \
            guest's tty (vmm's terminal in raw mode; the guest echoes, edits lines and \
            sends Ctrl-C to its foreground process; Ctrl-A x stops vmm), else a pipe that \
            ends when vmm's stdin does. Its stdout and stderr reach vmm's \
            stdout; the kernel's own log lines (an unknown system call, a fatal signal) \
            reach vmm's stderr. vmm exits with the program's status (128 + signal when it \
            dies by one, and says so on stderr, as a shell does). vmm's own options go before PROGRAM; everything after it is PROGRAM's.
            """)

    @Option(name: .customLong("add"), help: ArgumentHelp("Also copy a host file into the image.", valueName: "HOST_PATH:GUEST_PATH"))
    var additions: [String] = []

    @Option(help: ArgumentHelp("The program's argv[0] (default: PROGRAM as given).", valueName: "NAME"))
    var argv0: String?

    @Option(help: ArgumentHelp("Pack this host directory tree into the initramfs.", valueName: "DIR"))
    var rootfs: String?

    @Option(help: ArgumentHelp("Add this static BusyBox at /bin/busybox, with a link for each of its applets.", valueName: "PATH"))
    var busybox: String?

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
            let busyboxFiles = try busybox.map { try BusyBox(path: $0, limit: min(budget, 1 << 30)) }
            budget -= UInt64(busyboxFiles?.bytes.count ?? 0)
            var config = machine.with(rootPrealloc: root.prealloc).configuration(kernel: kernelPath)
            config.initrd = .bytes(try Initramfs.build(program: programBytes, additions: additions, tree: rootfs,
                                                       budget: budget, busybox: busyboxFiles,
                                                       mtime: UInt32(clamping: time(nil)),
                                                       programPath: argv0 == nil ? program : nil))
            // vmm's stdin is the guest's: its tty on a terminal, else a pipe (as `docker run -i` without -t).
            let input = ConsoleInput()
            config.input = input
            let inputParameter = "console.input=" + (input.isTerminal ? "tty" : "pipe")
            config.commandLine = try KernelCommandLine.forInit(Initramfs.initPath, argv0: argv0 ?? program,
                                                           arguments: RunCommandLine.current.programArguments ?? arguments,
                                                           extra: [inputParameter, HostHugePagePolicy.kernelParameter()]
                                                               .filter { !$0.isEmpty }.joined(separator: " "))
            config.profile = profile != nil

            machine.runAndExit(config, program: argv0 ?? program, profilePath: profile)
        } catch {
            fail(error)
        }
    }
}
