import KernelSupport

/// The six raw argument registers of a system call (Linux x86_64 ABI: rdi, rsi,
/// rdx, r10, r8, r9) and typed views of them. Every view checks its value.
/// It holds the trap frame's address, not a copy of the six: one register to
/// pass, and each handler loads only the arguments it reads.
struct SyscallArgs {
    let f: UnsafeMutablePointer<trap_frame>

    @inline(__always) init(_ f: UnsafeMutablePointer<trap_frame>) { self.f = f }

    @inline(__always) var a0: UInt64 { f.pointee.rdi }
    @inline(__always) var a1: UInt64 { f.pointee.rsi }
    @inline(__always) var a2: UInt64 { f.pointee.rdx }
    @inline(__always) var a3: UInt64 { f.pointee.r10 }
    @inline(__always) var a4: UInt64 { f.pointee.r8 }
    @inline(__always) var a5: UInt64 { f.pointee.r9 }

    /// C `int` arguments are the low 32 bits (the kernel ignores the rest).
    static func int(_ v: UInt64) -> Int32 { Int32(truncatingIfNeeded: v) }
}

/// A user-space address, not yet validated: used only through UserMemory.
struct UserPointer {
    let address: UInt64
    init(_ a: UInt64) { address = a }
    var isNull: Bool { address == 0 }
}

