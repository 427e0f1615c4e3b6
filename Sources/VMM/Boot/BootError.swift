/// Problems with the boot configuration that are not the ELF's fault.
enum BootError: Error, Equatable, CustomStringConvertible {
    case commandLineTooLong(Int)
    case initrdDoesNotFit(size: UInt64, ramSize: UInt64)
    case memoryMapTooLarge(entries: Int, segments: Int)

    var description: String {
        switch self {
        case .commandLineTooLong(let n):
            return "command line is \(n) bytes; at most \(BootInfo.maxCommandLine) fit in the boot info"
        case .initrdDoesNotFit(let size, let ram):
            return "initrd of \(size) bytes does not fit in \(ram >> 20) MiB of RAM above the kernel: use a larger --memory"
        case .memoryMapTooLarge(let n, let segments):
            return "the guest's memory map needs \(n) entries (\(segments) separate kernel segments and the gaps between them); "
                + "the boot info holds \(BootInfo.maxMapEntries): merge the kernel's PT_LOAD segments"
        }
    }
}
