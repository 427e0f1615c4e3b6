/// Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h);
/// system calls return them negated.
enum Errno {
    static let EPERM: Int64 = 1, ENOENT: Int64 = 2, ESRCH: Int64 = 3, EINTR: Int64 = 4, EIO: Int64 = 5
    static let E2BIG: Int64 = 7, EBADF: Int64 = 9, ENOMEM: Int64 = 12, EACCES: Int64 = 13, EFAULT: Int64 = 14
    static let EAGAIN: Int64 = 11, EEXIST: Int64 = 17, ENODEV: Int64 = 19, ENOTDIR: Int64 = 20, EISDIR: Int64 = 21
    static let EINVAL: Int64 = 22, ENFILE: Int64 = 23, EMFILE: Int64 = 24, ENOTTY: Int64 = 25, ETXTBSY: Int64 = 26
    static let ENOSPC: Int64 = 28, ESPIPE: Int64 = 29, EROFS: Int64 = 30, ENOTEMPTY: Int64 = 39
    static let ENAMETOOLONG: Int64 = 36, EXDEV: Int64 = 18, EBUSY: Int64 = 16
    static let ERANGE: Int64 = 34, ENOSYS: Int64 = 38, ELOOP: Int64 = 40
    static let ENOEXEC: Int64 = 8, ECHILD: Int64 = 10, EPIPE: Int64 = 32
    static let ENXIO: Int64 = 6
    static let EDEADLK: Int64 = 35, ENOLCK: Int64 = 37, EOVERFLOW: Int64 = 75              // locks
    static let ENOTSOCK: Int64 = 88, EDESTADDRREQ: Int64 = 89, EMSGSIZE: Int64 = 90, EPROTOTYPE: Int64 = 91
    static let ENOPROTOOPT: Int64 = 92, EPROTONOSUPPORT: Int64 = 93, ESOCKTNOSUPPORT: Int64 = 94
    static let EOPNOTSUPP: Int64 = 95, EAFNOSUPPORT: Int64 = 97, EADDRINUSE: Int64 = 98, EADDRNOTAVAIL: Int64 = 99
    static let ECONNABORTED: Int64 = 103, ECONNRESET: Int64 = 104, ENOBUFS: Int64 = 105, EISCONN: Int64 = 106
    static let ENOTCONN: Int64 = 107, ETOOMANYREFS: Int64 = 109, ECONNREFUSED: Int64 = 111     // sockets
}
