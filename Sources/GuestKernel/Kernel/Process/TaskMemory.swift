import KernelSupport

/// A task's own kernel memory, one 64 KiB heap block allocated with its slot
/// and kept with it: the x87/SSE save area (FXSAVE, 512 bytes, 16-byte
/// aligned), the path-resolution scratch (PathBuffers: system calls of
/// different tasks now nest, one sleeping while another runs), and the
/// 16 KiB kernel stack at the top, whose top 176 bytes are the task's trap
/// frame (every entry from ring 3 lands there: TSS.RSP0 and SYSCALL's stack).
struct TaskMemory {
    static let size = 65536
    static let stackSize = 16384
    static let fpuSize = 512
    let base = UnsafeMutableRawPointer.allocate(byteCount: TaskMemory.size, alignment: TaskMemory.size)

    var fpu: UnsafeMutableRawPointer { base }
    var stackTop: UInt64 { UInt64(UInt(bitPattern: base)) + UInt64(TaskMemory.size) }
    var stackBottom: UInt64 { stackTop - UInt64(TaskMemory.stackSize) }
    var frame: UnsafeMutablePointer<trap_frame> {
        UnsafeMutablePointer<trap_frame>(bitPattern: UInt(stackTop) - UInt(MemoryLayout<trap_frame>.size))!
    }

    /// Path scratch: raw (Path.max + 1), then full, tmp, out1, out2 (Path.bufferSize each).
    static let pathStart = fpuSize
    static let rawSize = (Path.max + 1 + 7) & ~7
    static let bufferSize = (Path.bufferSize + 7) & ~7
    func pathBuffer(_ k: Int) -> UnsafeMutablePointer<UInt8> {
        let offset = k == 0 ? TaskMemory.pathStart : TaskMemory.pathStart + TaskMemory.rawSize + (k - 1) * TaskMemory.bufferSize
        return (base + offset).assumingMemoryBound(to: UInt8.self)
    }

    /// A signal frame being built or read back (SignalDelivery, from 8 bytes
    /// in: SignalFrame.span bytes), or a siginfo (SysSignal), after the path scratch (which
    /// ends at 37416) and below the stack (49152).
    static let signalFrameStart = 40960
    var signalFrame: UnsafeMutableRawPointer { base + TaskMemory.signalFrameStart }

    /// A new task: x87/SSE at their reset values (as Linux clears the FPU on
    /// exec), a zero trap frame for the first return to ring 3.
    func reset() {
        copy_qwords(fpu, UnsafeRawPointer(bitPattern: UInt(fpu_initial_state_address()))!, UInt64(TaskMemory.fpuSize / 8))
        zero_qwords(frame, UInt64(MemoryLayout<trap_frame>.size / 8))
    }
}
