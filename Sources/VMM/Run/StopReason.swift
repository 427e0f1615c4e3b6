import SystemPackage

/// Why the VM stopped, and the status `vmm` exits with for it. The statuses
/// are part of the CLI's contract (README, "Exit statuses").
enum StopReason: Equatable {
    /// The guest wrote `value` to the exit port.
    case guestExit(value: UInt32)
    case halted
    /// The vCPU is halted inside KVM (in-kernel irqchip) with interrupts off,
    /// which nothing can end (HaltWatch): Linux's halt, and its power-off
    /// when it has no way to power off (`acpi=off`).
    case haltedInterruptsOff
    case tripleFault
    case failEntry(reason: UInt64)
    case internalError(suberror: UInt32, data: [UInt64])
    case unknownPort(port: UInt16, size: Int, isWrite: Bool, value: UInt32)
    case unhandledMMIO(address: UInt64, size: Int, isWrite: Bool, value: UInt64)
    case unhandledExit(reason: UInt32)
    case malformedExit(String)
    case timedOut(seconds: Double)
    case signal(Int32)
    /// The guest's console output could not be written (stdout closed, a
    /// broken pipe, a full disk): the VM stops rather than lose it silently.
    case consoleWriteFailed(Errno)
    /// The guest pulsed the reset line through the i8042 (Linux's reboot,
    /// and its reboot after a panic with panic=N).
    case guestReset
    /// The guest entered ACPI S5 (soft off) through PM1a_CNT: Linux's
    /// power-off. An orderly end, status 0.
    case powerOff

    enum Status {
        static let halted: Int32 = 120
        static let tripleFault: Int32 = 121
        static let failEntry: Int32 = 122
        static let internalError: Int32 = 123
        static let timedOut: Int32 = 124       // as timeout(1)
        static let consoleWriteFailed: Int32 = 74   // EX_IOERR (sysexits.h)
        static let unknownPort: Int32 = 116
        static let unhandledMMIO: Int32 = 117
        static let unhandledExit: Int32 = 118
        static let guestReset: Int32 = 119
        static let powerOff: Int32 = 0
    }

    var exitStatus: Int32 {
        switch self {
        case .guestExit(let v): return Int32(v & 0xff)
        case .halted, .haltedInterruptsOff: return Status.halted
        case .tripleFault: return Status.tripleFault
        case .failEntry: return Status.failEntry
        case .internalError: return Status.internalError
        case .unknownPort: return Status.unknownPort
        case .unhandledMMIO: return Status.unhandledMMIO
        case .unhandledExit, .malformedExit: return Status.unhandledExit
        case .timedOut: return Status.timedOut
        case .signal(let s): return 128 + s
        case .consoleWriteFailed: return Status.consoleWriteFailed
        case .guestReset: return Status.guestReset
        case .powerOff: return Status.powerOff
        }
    }

    /// Whether the VMM should print the vCPU state (a guest failure).
    var wantsRegisterDump: Bool {
        switch self {
        case .guestExit, .signal, .consoleWriteFailed, .guestReset, .powerOff, .haltedInterruptsOff: return false
        default: return true
        }
    }

    /// One line for stderr; nil for an ordinary guest exit.
    var message: String? {
        switch self {
        case .guestExit: return nil
        case .guestReset: return "guest reset the machine (i8042 command 0xfe: Linux's reboot, or its reboot after a panic)"
        case .powerOff: return "guest powered off (ACPI S5: SLP_TYP \(ACPITables.s5SleepType) with SLP_EN written to PM1a_CNT, port 0x\(hex(ACPIPowerManagement.controlBlock)))"
        case .halted: return "guest halted (HLT) without writing the exit port"
        case .haltedInterruptsOff:
            return "guest halted with interrupts off (HLT with RFLAGS.IF clear, KVM_MP_STATE_HALTED: nothing can wake it): "
                + "Linux's halt, or its power-off without a power-off method (acpi=off)"
        case .tripleFault: return "guest triple fault (KVM_EXIT_SHUTDOWN)"
        case .failEntry(let r): return "KVM_EXIT_FAIL_ENTRY: hardware entry failure reason 0x\(hex(r))"
        case .internalError(let sub, let data):
            let what = sub == 1 ? " (emulation failure: an instruction KVM cannot emulate)" : ""
            return "KVM_EXIT_INTERNAL_ERROR suberror \(sub)\(what), data [\(data.map { "0x" + hex($0) }.joined(separator: ", "))]"
        case .unknownPort(let port, let size, let isWrite, let value):
            return isWrite
                ? "guest wrote 0x\(hex(value)) (\(size) byte\(size == 1 ? "" : "s")) to unknown port 0x\(hex(port))"
                : "guest read \(size) byte\(size == 1 ? "" : "s") from unknown port 0x\(hex(port))"
        case .unhandledMMIO(let a, let size, let isWrite, let value):
            return isWrite
                ? "guest MMIO write of 0x\(hex(value)) (\(size) bytes) to 0x\(hex(a)): no device there"
                : "guest MMIO read of \(size) bytes from 0x\(hex(a)): no device there"
        case .unhandledExit(let r): return "unhandled exit \(ExitReasonName.name(r))"
        case .malformedExit(let why): return "malformed exit from KVM: \(why)"
        case .timedOut(let s): return "watchdog: guest still running after \(s) s, stopped"
        case .signal(let s): return "stopped by \(SignalName.name(s))"
        case .consoleWriteFailed(let e): return "cannot write the guest's console output to stdout: \(e); guest stopped"
        }
    }
}
