/// The key exits are counted under: kind, and port where there is one.
enum ExitKind: Hashable, Comparable {
    case ioOut(port: UInt16)
    case ioIn(port: UInt16)
    case mmioRead
    case mmioWrite
    case halt
    case shutdown
    case failEntry
    case internalError
    case systemEvent
    case interrupted        // KVM_RUN returned EINTR/EAGAIN or KVM_EXIT_INTR
    case other(reason: UInt32)
    case malformed

    init(_ exit: VCPUExit) {
        switch exit {
        case .ioOut(let port, _, _, _): self = .ioOut(port: port)
        case .ioIn(let port, _, _, _): self = .ioIn(port: port)
        case .mmio(_, _, let isWrite, _): self = isWrite ? .mmioWrite : .mmioRead
        case .halt: self = .halt
        case .shutdown: self = .shutdown
        case .failEntry: self = .failEntry
        case .internalError: self = .internalError
        case .systemEvent: self = .systemEvent
        case .interrupted: self = .interrupted
        case .unhandled(let r): self = .other(reason: r)
        case .malformed: self = .malformed
        }
    }

    var name: String {
        switch self {
        case .ioOut(let p): return "io-out 0x\(hex(p, 3))\(Self.portName(p))"
        case .ioIn(let p): return "io-in 0x\(hex(p, 3))\(Self.portName(p))"
        case .mmioRead: return "mmio-read"
        case .mmioWrite: return "mmio-write"
        case .halt: return "hlt"
        case .shutdown: return "shutdown"
        case .failEntry: return "fail-entry"
        case .internalError: return "internal-error"
        case .systemEvent: return "system-event"
        case .interrupted: return "interrupted"
        case .other(let r): return ExitReasonName.name(r)
        case .malformed: return "malformed"
        }
    }

    private static func portName(_ p: UInt16) -> String {
        switch p {
        case Ports.com1..<(Ports.com1 + Serial16550.registerCount): return " (com1)"
        case Ports.null: return " (null)"
        case Ports.exit: return " (exit)"
        case Ports.hypercall: return " (hypercall)"
        default: return ""
        }
    }

    private var order: (Int, Int) {
        switch self {
        case .ioOut(let p): return (0, Int(p))
        case .ioIn(let p): return (1, Int(p))
        case .mmioRead: return (2, 0)
        case .mmioWrite: return (3, 0)
        case .halt: return (4, 0)
        case .shutdown: return (5, 0)
        case .failEntry: return (6, 0)
        case .internalError: return (7, 0)
        case .systemEvent: return (8, 0)
        case .interrupted: return (9, 0)
        case .other(let r): return (10, Int(r))
        case .malformed: return (11, 0)
        }
    }

    static func < (a: ExitKind, b: ExitKind) -> Bool { a.order < b.order }
}
