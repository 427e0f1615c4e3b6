import ArgumentParser

struct BootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Boot an ELF64 x86_64 kernel or a Linux bzImage under /dev/kvm.",
        discussion: """
            The kernel is entered in 64-bit long mode with RDI = the boot-info record \
            (see README.md, "Guest ABI"). The guest's console (COM1) goes to stdout; \
            vmm's own messages go to stderr. vmm exits with the value the guest wrote \
            to port 0x501, or with a status of its own (README.md, "Exit statuses"). \
            A Linux bzImage is booted by the x86 64-bit boot protocol with an in-kernel \
            irqchip and PIT, an MP table, ACPI tables (power-off ends the VM with status 0) \
            and COM1 on IRQ 4, whose receiver takes vmm's stdin (README.md, "Linux as a \
            guest"); it needs hardware-assisted KVM (status 69 on kvm_pvm).
            """)

    @Argument(help: "The kernel: an ELF64 x86_64 ET_EXEC image, or a Linux bzImage (boot protocol >= 2.12).")
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
        // A Linux guest's ttyS0 reads vmm's stdin (as QEMU's -serial stdio): a
        // terminal goes raw for the guest's line discipline, Ctrl-A x stops vmm.
        config.linuxInput = ConsoleInput()
        machine.runAndExit(config, profilePath: profile)
    }
}
