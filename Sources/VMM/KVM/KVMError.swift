import Glibc
import SystemPackage

/// Errors from talking to KVM. Each names the failing call and the errno,
/// the way kvmtool's `die_perror("KVM_SET_SREGS failed")` does.
enum KVMError: Error, CustomStringConvertible {
    /// `/dev/kvm` could not be opened.
    case open(path: String, Errno)
    /// An ioctl failed: its KVM API name and errno.
    case ioctl(String, Errno)
    /// A system call around KVM (signals, timers) failed.
    case system(String, Errno)
    /// The kernel speaks a KVM API version other than 12 (KVM API doc 4.1).
    case apiVersion(Int32)
    /// `mmap` of the vCPU's `kvm_run` area failed.
    case mmapRun(Errno)
    /// Binary statistics were malformed (KVM API doc 4.133, KVM_GET_STATS_FD).
    case stats(String)

    var description: String {
        switch self {
        case .open(let path, let errno):
            switch errno {
            case .noSuchFileOrDirectory, .noSuchAddressOrDevice, Errno(rawValue: ENODEV):
                return "\(path) is missing: KVM is not available on this machine (\(errno))"
            case .permissionDenied, .notPermitted:
                return "\(path): permission denied (it is usually root-only or group kvm)"
            default:
                return "cannot open \(path): \(errno)"
            }
        case .ioctl(let name, let errno):
            return "KVM: ioctl \(name) failed: \(errno)"
        case .system(let call, let errno):
            return "\(call) failed: \(errno)"
        case .apiVersion(let v):
            return "KVM API version \(v) is not the stable version 12"
        case .mmapRun(let errno):
            return "KVM: mmap of the vCPU run area failed: \(errno)"
        case .stats(let what):
            return "KVM binary statistics: \(what)"
        }
    }
}

/// Calls an ioctl wrapper and turns -1 into `KVMError.ioctl(name, errno)`.
/// EINTR is retried: none of the ioctls routed here has side effects that a
/// retry would repeat (KVM_RUN has its own loop).
@inline(__always)
func kvmCall(_ name: String, _ body: () -> Int32) throws -> Int32 {
    while true {
        let r = body()
        if r >= 0 { return r }
        let e = Errno.lastError
        if e == .interrupted { continue }
        throw KVMError.ioctl(name, e)
    }
}
