import KernelSupport

/// The six raw argument registers of a system call (Linux x86_64 ABI: rdi, rsi,
/// rdx, r10, r8, r9) and typed views of them. Every view checks its value.
struct SyscallArgs {
    let a0: UInt64, a1: UInt64, a2: UInt64, a3: UInt64, a4: UInt64, a5: UInt64

    init(_ f: UnsafeMutablePointer<trap_frame>) {
        a0 = f.pointee.rdi; a1 = f.pointee.rsi; a2 = f.pointee.rdx
        a3 = f.pointee.r10; a4 = f.pointee.r8; a5 = f.pointee.r9
    }

    /// Arguments all zero but the first (a call made on a user's behalf).
    init(f0: UInt64) { a0 = f0; a1 = 0; a2 = 0; a3 = 0; a4 = 0; a5 = 0 }

    /// C `int` arguments are the low 32 bits (the kernel ignores the rest).
    static func int(_ v: UInt64) -> Int32 { Int32(truncatingIfNeeded: v) }
}

/// A user-space address, not yet validated: used only through UserMemory.
struct UserPointer {
    let address: UInt64
    init(_ a: UInt64) { address = a }
    var isNull: Bool { address == 0 }
}

