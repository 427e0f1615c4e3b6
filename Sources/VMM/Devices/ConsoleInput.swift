import CKVM
import Glibc
import SystemPackage

/// What the UART's receiver takes bytes from (Serial16550): the VMM's stdin
/// (ConsoleInput) or, in tests, a list of bytes.
protocol SerialInput: AnyObject {
    /// The next byte, if one has come.
    func receive() -> UInt8?
    /// Whether a byte is waiting (the UART's LSR.DR).
    var hasData: Bool { get }
    /// The input ended (EOF on vmm's stdin) and every byte was received:
    /// the UART drops its carrier (MSR.DCD).
    var drained: Bool { get }
}

/// vmm's stdin as the guest console's input, as kvmtool's term.c and
/// Firecracker's serial device take it: a reader thread of its own blocks in
/// read(2) (the vCPU thread never waits for stdin and never polls it), puts
/// what it reads into a bounded buffer and, when the buffer was empty,
/// kicks the vCPU out of KVM_RUN (a signal; even a vCPU halted inside KVM)
/// so the run loop raises the UART's interrupt. A full buffer stops the
/// reader until the guest takes bytes (backpressure: the writer on vmm's
/// stdin blocks, nothing grows). The thread is never joined: a guest that
/// never reads still ends, and vmm's exit ends the thread.
final class ConsoleInput: SerialInput {
    static let capacity = 4096          // N_TTY_BUF_SIZE

    let fd: Int32
    /// stdin is a terminal: the guest's stdin is its tty, and Ctrl-A x stops vmm.
    let isTerminal: Bool
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let space = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let ring = UnsafeMutablePointer<UInt8>.allocate(capacity: ConsoleInput.capacity)
    // Under `lock`:
    private var head = 0
    private var count = 0
    private var ended = false
    private var consumer: pthread_t?
    private var started = false
    /// Ctrl-A was the last byte read from a terminal (QEMU's escape).
    private var escape = false

    static let escapeByte: UInt8 = 0x01       // Ctrl-A
    static let quitByte: UInt8 = 0x78         // x

    init(fd: Int32 = 0) {
        self.fd = fd
        isTerminal = isatty(fd) == 1
        pthread_mutex_init(lock, nil)
        pthread_cond_init(space, nil)
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }

    // MARK: the vCPU thread's side

    /// The calling thread (the vCPU thread) is kicked from now on; starts the
    /// reader the first time. Before seccomp: sigaction and clone are not allowed after.
    func attach() throws {
        let r = ckvm_input_kick_install()
        if r != 0 { throw KVMError.system("sigaction", Errno(rawValue: -r)) }
        let start: Bool = locked {
            consumer = pthread_self()
            defer { started = true }
            return !started
        }
        if start { try startReader() }
    }

    /// No more kicks (the vCPU thread is about to end).
    func detach() { locked { consumer = nil } }

    func receive() -> UInt8? {
        locked {
            guard count > 0 else { return nil }
            let b = ring[head]
            head = (head + 1) % Self.capacity
            pthread_cond_signal(space)
            count -= 1
            return b
        }
    }

    /// As many bytes as fit in `buffer` at once (VMM_HC_CONSOLE_READ), and
    /// whether the input has ended with nothing left after them.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, drained: Bool) {
        locked {
            let n = min(buffer.count, count)
            let first = min(n, Self.capacity - head)     // the ring's two spans
            buffer.baseAddress?.copyMemory(from: ring + head, byteCount: first)
            if n > first { (buffer.baseAddress! + first).copyMemory(from: ring, byteCount: n - first) }
            if n > 0 { pthread_cond_signal(space) }
            head = (head + n) % Self.capacity
            count -= n
            return (n, ended && count == 0)
        }
    }

    var hasData: Bool { locked { count > 0 } }
    var drained: Bool { locked { ended && count == 0 } }

    // MARK: the reader thread

    private final class Box {
        let input: ConsoleInput
        init(_ i: ConsoleInput) { input = i }
    }

    private func startReader() throws {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(self))
        // The reader takes no SIGINT/SIGTERM and no kick: those are the vCPU thread's.
        var all = sigset_t(), saved = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        let r = pthread_create(&thread, nil, { p in
            Unmanaged<Box>.fromOpaque(p!).takeRetainedValue().input.readLoop()
            return nil
        }, box.toOpaque())
        guard r == 0 else {
            box.release()
            throw KVMError.system("pthread_create", Errno(rawValue: r))
        }
        pthread_detach(thread)
    }

    private func readLoop() {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.capacity)
        while true {
            // On a terminal one byte is kept for a Ctrl-A held over from the last read.
            let spare = isTerminal ? 1 : 0
            let room: Int = locked {
                while count >= Self.capacity - spare { pthread_cond_wait(space, lock) }
                return Self.capacity - count - spare
            }
            let n = Glibc.read(fd, buffer, room)
            if n < 0 && (errno == EINTR || errno == EAGAIN) {
                if errno == EAGAIN { var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0); _ = poll(&p, 1, -1) }
                continue
            }
            var stop = false
            locked {
                let wasEmpty = count == 0
                if n <= 0 { ended = true }      // EOF, or an error (EIO: the terminal hung up)
                for i in 0..<max(n, 0) {
                    let b = buffer[i]
                    if isTerminal && escape {
                        escape = false
                        if b == Self.quitByte { stop = true; break }
                        if b != Self.escapeByte { put(Self.escapeByte) }
                    } else if isTerminal && b == Self.escapeByte {
                        escape = true
                        continue
                    }
                    put(b)
                }
                if let t = consumer {
                    if stop { pthread_kill(t, SIGTERM) } else if wasEmpty && (count > 0 || ended) { _ = ckvm_input_kick(t) }
                }
            }
            if n <= 0 || stop { buffer.deallocate(); return }
        }
    }

    /// Under `lock`, with room (read asked for no more than there is, less the spare byte).
    private func put(_ b: UInt8) {
        guard count < Self.capacity else { return }
        ring[(head + count) % Self.capacity] = b
        count += 1
    }
}
