import ArgumentParser

struct BootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Boot an ELF64 x86_64 kernel under /dev/kvm.",
        discussion: """
            The kernel is entered in 64-bit long mode with RDI = the boot-info record \
            (see README.md, "Guest ABI"). The guest's console (COM1) goes to stdout; \
            vmm's own messages go to stderr. vmm exits with the value the guest wrote \
            to port 0x501, or with a status of its own (README.md, "Exit statuses").
            """)

    @Argument(help: "The kernel: an ELF64 x86_64 ET_EXEC image.")
    var kernel: String

    @Option(help: "A file to load into guest RAM as the initrd.")
    var initrd: String?

    @Option(help: "The kernel command line.")
    var cmdline: String = ""

    @Option(help: ArgumentHelp("Single-step the guest kernel and write its instructions per kernel function, for the run and per window between guest marks, to this file (software-assisted KVM; README, \"Profiling the guest kernel\").", valueName: "FILE"))
    var profile: String?

    @OptionGroup var machine: MachineOptions

    @ParentCommand var root: VMMCommand

    func run() throws {
        var config = machine.with(rootPrealloc: root.prealloc).configuration(kernel: kernel)
        config.initrd = initrd.map { .file($0) }
        config.commandLine = cmdline
        config.profile = profile != nil
        machine.runAndExit(config, profilePath: profile)
    }
}
