import CKVM
import Glibc
import SystemPackage

/// Runs the vCPU's loop on a thread of its own, as Firecracker does, so that
/// the seccomp filter the loop installs confines that thread only: the main
/// thread still writes reports and files after the run (README, "Seccomp").
enum VCPUThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// `watch`, if given, is called on the calling thread every
    /// `watchPeriod` seconds while the vCPU thread runs, with that thread (HaltWatch).
    static func run<T>(watchPeriod: Double = HaltWatch.period, watch: ((pthread_t) -> Void)? = nil,
                       _ body: () throws -> T) throws -> T {
        var result: Result<T, Error>?
        try withoutActuallyEscaping(body) { body in
            let box = Unmanaged.passRetained(Body { result = Result { try body() } })
            // SIGINT and SIGTERM must reach the vCPU thread (its handler sets
            // immediate_exit, and KVM_RUN returns EINTR only in the thread a
            // signal interrupts): blocked here, so the kernel picks the vCPU
            // thread, which unblocks them (ckvm_kick_install_signals).
            var stop = sigset_t(), saved = sigset_t()
            sigemptyset(&stop)
            sigaddset(&stop, SIGINT)
            sigaddset(&stop, SIGTERM)
            pthread_sigmask(SIG_BLOCK, &stop, &saved)
            defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
            var thread = pthread_t()
            let r = pthread_create(&thread, nil, { p in
                let body = Unmanaged<Body>.fromOpaque(p!).takeRetainedValue()
                body.run()
                return nil
            }, box.toOpaque())
            guard r == 0 else {
                box.release()
                throw KVMError.system("pthread_create", Errno(rawValue: r))
            }
            while let watch {
                guard ckvm_join_within(thread, UInt64(watchPeriod * 1e9)) == ETIMEDOUT else { return }
                watch(thread)
            }
            pthread_join(thread, nil)
        }
        return try result!.get()
    }
}
