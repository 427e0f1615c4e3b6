import KernelSupport

/// uname(2), prlimit64(2), getrandom(2), and the kernel's private mark call.
enum SysInfo {
    /// uname(2): struct utsname (six 65-byte fields) is the same for every
    /// call, so it is built once and copied out as a whole (it was allocated,
    /// zeroed and filled byte by byte on every call).
    @inline(never)                 // a tail call from the dispatcher's frame-less jump table
    static func uname(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let image = utsname ?? buildUtsname()
        return UserMemory.copyOut(p, to: a.a0, from: image, count: utsnameSize) ? 0 : -Errno.EFAULT
    }

    static let utsnameSize = 6 * 65
    nonisolated(unsafe) static var utsname: UnsafeMutablePointer<UInt8>? = nil

    @inline(never)
    static func buildUtsname() -> UnsafeMutablePointer<UInt8> {
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: utsnameSize)
        buf.initialize(repeating: 0, count: utsnameSize)
        func field(_ i: Int, _ s: StaticString) {
            for j in 0..<min(s.utf8CodeUnitCount, 64) { buf[65 * i + j] = s.utf8Start[j] }
        }
        field(0, "Linux")
        field(1, "vmm-guest")
        field(2, "6.1.0-swift")
        field(3, "#1 SMP Swift guest kernel")
        field(4, "x86_64")
        field(5, "(none)")
        utsname = buf
        return buf
    }

    static let infinity = UInt64.max

    static func prlimit(_ p: UnsafeMutablePointer<Process>, _ pid: UInt64, _ resource: UInt64, _ new: UInt64, _ old: UInt64) -> Int64 {
        let pidValue = SyscallArgs.int(pid)
        guard pidValue == 0 || pidValue == p.pointee.pid else { return -Errno.ESRCH }
        let r = SyscallArgs.int(resource)
        guard r >= 0 && r < 16 else { return -Errno.EINVAL }
        if new != 0 {
            var lim: (UInt64, UInt64) = (0, 0)
            guard UserMemory.copyIn(p, to: &lim, from: new, count: 16) else { return -Errno.EFAULT }
            guard lim.0 <= lim.1 else { return -Errno.EINVAL }
        }
        if old != 0 {
            var lim: (UInt64, UInt64)
            switch r {
            case 3: lim = (Process.stackSize, infinity)      // RLIMIT_STACK
            case 7: lim = (1024, 4096)                        // RLIMIT_NOFILE
            case 4: lim = (0, infinity)                       // RLIMIT_CORE
            case 8: lim = (8 << 20, 8 << 20)                  // RLIMIT_MEMLOCK
            case 6: lim = (1024, 1024)                        // RLIMIT_NPROC
            case 11: lim = (1024, 1024)                       // RLIMIT_SIGPENDING
            case 12: lim = (819_200, 819_200)                 // RLIMIT_MSGQUEUE
            default: lim = (infinity, infinity)
            }
            guard UserMemory.copyOut(p, to: old, from: &lim, count: 16) else { return -Errno.EFAULT }
        }
        return 0
    }

    static func getrandom(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a2 & ~UInt64(7) == 0 else { return -Errno.EINVAL }          // GRND_NONBLOCK|RANDOM|INSECURE
        let n = min(a.a1, 0x01ff_ffff)
        var done: UInt64 = 0
        let ok = UserMemory.forEachChunk(p, a.a0, n, write: true) { dst, count in
            Random.fill(dst, count)
            done += UInt64(count)
        }
        if !ok && done == 0 && n > 0 { return -Errno.EFAULT }
        return Int64(done)
    }

    /// VMM_SYSCALL_MARK: the VMM's MARK hypercall with arg0 = id (vmm_guest_abi.h).
    static func mark(_ id: UInt64) -> Int64 {
        _ = Hypercall.mark(id)
        return 0                                   // as the ABI says, whatever the VMM answered
    }
}
