import CKVM
import SystemPackage

/// SIGINT/SIGTERM as a request to stop, not a death: once installed, the
/// first one is remembered for the whole process (a guest run that begins
/// after it stops at once; see ckvm.h, "kick state").
enum UserInterrupt {
    struct Stopped: Error {
        let signal: Int32
    }

    static func install() throws {
        let r = ckvm_kick_install_signals()
        if r != 0 { throw KVMError.system("sigaction", Errno(rawValue: -r)) }
    }

    /// The first SIGINT/SIGTERM received, nil if none.
    static var signal: Int32? {
        let s = ckvm_interrupt_signal()
        return s > 0 ? s : nil
    }

    static func check() throws {
        if let s = signal { throw Stopped(signal: s) }
    }

    
}
