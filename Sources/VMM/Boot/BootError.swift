/// Problems with the boot configuration that are not the ELF's fault.
enum BootError: Error, Equatable, CustomStringConvertible {
    case commandLineTooLong(Int)
    case initrdDoesNotFit(size: UInt64, ramSize: UInt64)

    var description: String {
        switch self {
        case .commandLineTooLong(let n):
            return "command line is \(n) bytes; at most \(BootInfo.maxCommandLine) fit in the boot info"
        case .initrdDoesNotFit(let size, let ram):
            return "initrd of \(size) bytes does not fit in \(ram >> 20) MiB of RAM above the kernel: use a larger --memory"
        }
    }
}
