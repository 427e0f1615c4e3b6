import SystemPackage

/// `vmm`'s own exit statuses (sysexits.h values), apart from the guest's.
/// Documented in the README, "Exit statuses".
enum VMMExit {
    static let usage: Int32 = 64          // EX_USAGE: bad command line
    static let dataError: Int32 = 65      // EX_DATAERR: kernel/initrd unusable
    static let noInput: Int32 = 66        // EX_NOINPUT: a file cannot be opened
    static let unavailable: Int32 = 69    // EX_UNAVAILABLE: no KVM here
    static let software: Int32 = 70       // EX_SOFTWARE: internal error
    static let osError: Int32 = 71        // EX_OSERR: an OS or KVM call failed
    static let cannotCreate: Int32 = 73   // EX_CANTCREAT: an output file cannot be written
    static let noPermission: Int32 = 77   // EX_NOPERM: /dev/kvm not permitted

    /// Maps a setup error to its status.
    static func status(for error: Error) -> Int32 {
        switch error {
        case let e as KVMError:
            if case .open(_, let errno) = e {
                return errno == .permissionDenied || errno == .notPermitted ? noPermission : unavailable
            }
            if case .apiVersion = e { return unavailable }
            return osError
        case let e as LinuxGuestError:
            if case .softwareKVM = e { return unavailable }
            return dataError
        case is ELFError, is BzImageError, is BootError, is CPIOArchive.Error, is KernelCommandLine.Unrepresentable,
             is KernelSymbols.ParseError: return dataError
        case is BuiltInKernel.NotBuilt: return noInput
        case let e as ImageFileError:
            if case .cannotOpen = e { return noInput }
            if case .notRegularFile = e { return noInput }
            if case .tooLarge = e { return dataError }
            return osError
        case let e as HostTree.Failure: return e.missing ? noInput : dataError
        case is BusyBox.Failure: return dataError
        case is MemoryError: return osError
        case is OutputFileError: return cannotCreate
        case is MemorySize.ParseError: return usage
        case is WarmMode.Unsupported: return unavailable
        default: return software
        }
    }
}
