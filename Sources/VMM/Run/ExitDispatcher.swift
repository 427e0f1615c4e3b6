/// What the run loop does after an exit.
enum ExitAction: Equatable {
    case resume
    /// Complete an IN (or an MMIO read) with this value, then resume.
    case resumeWithInput(UInt64)
    case stop(StopReason)
}

/// Turns one exit into one action: the devices, the exit port, the
/// hypercall port, and the policy for everything unknown. It does not call
/// KVM, so it is tested with synthetic exits (Firecracker's
/// `handle_kvm_exit` has the same split).
struct ExitDispatcher {
    /// Let unknown ports and MMIO pass (reads see all ones, writes vanish),
    /// as on a PC bus with nothing there, instead of stopping the VM.
    var ignoreUnknownIO = false
    var serial = Serial16550()
    let console: ConsoleSink
    let memory: GuestMemory
    unowned let host: HypercallHost
    /// Hypercall writes that could not be served (bad size or unreachable record).
    private(set) var badHypercalls: UInt64 = 0
    /// The PC devices a Linux guest needs besides KVM's in-kernel ones: the
    /// i8042's reset, an empty CMOS, the UART's interrupt on IRQ 4, ACPI's
    /// PM1a blocks (power-off).
    var pcDevices = false
    private(set) var powerManagement = ACPIPowerManagement()
    /// Drives an interrupt line (KVM_IRQ_LINE); set with `pcDevices` and
    /// for a kernel with the in-kernel irqchip (its console input).
    var setIRQLine: ((UInt32, Bool) -> Void)?
    private var serialLine = false
    static let serialIRQ: UInt32 = 4      // COM1's ISA interrupt

    init(console: ConsoleSink, memory: GuestMemory, host: HypercallHost, ignoreUnknownIO: Bool = false) {
        self.console = console
        self.memory = memory
        self.host = host
        self.ignoreUnknownIO = ignoreUnknownIO
    }

    mutating func handle(_ exit: VCPUExit) -> ExitAction {
        switch exit {
        case .ioOut(let port, let size, let count, let data):
            return portWrite(port: port, size: size, count: count, data: data)
        case .ioIn(let port, let size, _, _):
            return portRead(port: port, size: size)
        case .mmio(let address, let size, let isWrite, let value):
            guard ignoreUnknownIO else {
                return .stop(.unhandledMMIO(address: address, size: size, isWrite: isWrite, value: value))
            }
            return isWrite ? .resume : .resumeWithInput(~0)
        case .halt: return .stop(.halted)
        case .shutdown: return .stop(.tripleFault)
        case .failEntry(let reason, _): return .stop(.failEntry(reason: reason))
        case .internalError(let sub, let data): return .stop(.internalError(suberror: sub, data: data))
        case .interrupted: return .resume
        case .systemEvent: return .stop(.unhandledExit(reason: 24))
        case .unhandled(let reason): return .stop(.unhandledExit(reason: reason))
        case .malformed(let why): return .stop(.malformedExit(why))
        }
    }

    private mutating func portWrite(port: UInt16, size: Int, count: Int, data: IOData) -> ExitAction {
        switch port {
        case Ports.com1..<(Ports.com1 + Serial16550.registerCount):
            // OUTS may carry several elements; a UART register takes the low byte of each.
            var i = 0
            defer { updateSerialLine() }
            while i < data.bytes.count {
                if let byte = serial.write(offset: port - Ports.com1, value: data.bytes[i]), let e = console.write(byte) {
                    return .stop(.consoleWriteFailed(e))
                }
                i += size
            }
            return .resume
        case Ports.null:
            return .resume
        case Ports.exit:
            return .stop(.guestExit(value: data.first(size: size)))
        case Ports.mark where size == 4 && count == 1:
            _ = host.recordMark(id: UInt64(data.first(size: 4)), port: Ports.mark)
            return .resume
        case Ports.i8042Command where pcDevices:
            return data.first(size: size) & 0xff == UInt32(Ports.i8042Reset) ? .stop(.guestReset) : .resume
        case Ports.i8042Data where pcDevices, Ports.cmosIndex where pcDevices, Ports.cmosData where pcDevices:
            return .resume
        case ACPIPowerManagement.ports where pcDevices:
            return powerManagement.write(port: port, size: size, value: data.first(size: size)) ? .stop(.powerOff) : .resume
        case Ports.hypercall:
            guard size == 4, count == 1,
                  HypercallDevice.perform(address: UInt64(data.first(size: 4)), memory: memory, host: host) else {
                badHypercalls &+= 1
                return .resume
            }
            updateSerialLine()      // VMM_HC_CONSOLE_READ takes the UART's received bytes
            return .resume
        default:
            guard ignoreUnknownIO else {
                return .stop(.unknownPort(port: port, size: size, isWrite: true, value: data.first(size: size)))
            }
            return .resume
        }
    }

    private mutating func portRead(port: UInt16, size: Int) -> ExitAction {
        switch port {
        case Ports.com1..<(Ports.com1 + Serial16550.registerCount):
            defer { updateSerialLine() }
            return .resumeWithInput(UInt64(serial.read(offset: port - Ports.com1)))
        case Ports.null, Ports.exit, Ports.hypercall, Ports.mark:
            return .resumeWithInput(~0)
        case Ports.i8042Command where pcDevices, Ports.i8042Data where pcDevices,
             Ports.cmosIndex where pcDevices, Ports.cmosData where pcDevices:
            return .resumeWithInput(0)   // i8042: both buffers empty; CMOS: nothing there
        case ACPIPowerManagement.ports where pcDevices:
            return .resumeWithInput(UInt64(powerManagement.read(port: port, size: size)))
        default:
            guard ignoreUnknownIO else {
                return .stop(.unknownPort(port: port, size: size, isWrite: false, value: 0))
            }
            return .resumeWithInput(~0)      // an empty ISA bus reads as all ones
        }
    }

    /// The console input may have changed (the reader thread kicked the vCPU).
    mutating func inputArrived() { updateSerialLine() }

    /// IRQ 4 follows the UART's interrupt output; KVM sees the edges
    /// (ISA interrupts are edge-triggered at the IOAPIC, MP spec 5.3).
    private mutating func updateSerialLine() {
        guard let set = setIRQLine else { return }
        let level = serial.interruptPending()
        if level != serialLine { serialLine = level; set(Self.serialIRQ, level) }
    }
}
