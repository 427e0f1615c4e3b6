/// COM1 as a 16550A UART (register map: National Semiconductor PC16550D
/// datasheet, table II). Bytes written to THR go to the console sink
/// unchanged; LSR always says the transmitter is empty. The receiver takes
/// bytes from `input` (vmm's stdin, ConsoleInput) one RBR read at a time,
/// LSR.DR saying one is waiting; when the input has ended and been read, the
/// carrier drops (MSR.DCD clear, DDCD set): the guest's end of file.
/// The far end sends only while the guest asserts RTS (MCR bit 1), as a
/// peer with RTS/CTS flow control does: Linux's 8250 driver reads RBR to
/// discard stale bytes while it probes and starts the port
/// (serial8250_do_startup, _shutdown) and raises RTS only once the port is
/// open (uart_port_startup), so those reads cannot eat vmm's stdin; a
/// guest that throttles (`stty crtscts`) drops RTS and the bytes wait.
/// Interrupts (datasheet, "Interrupt Identification Register", by priority):
/// received data available (IER bit 0, while DR), transmitter holding
/// register empty (IER bit 1: pending when THR empties, at once here, and
/// when the enable bit is set; cleared by reading IIR), modem status (IER
/// bit 3, while a delta bit is set; cleared by reading MSR). Linux's 8250
/// driver sends output on THRE (IRQ 4 for COM1).
struct Serial16550 {
    static let registerCount: UInt16 = 8

    // Register offsets from the base port.
    enum Register: UInt16 {
        case data = 0          // THR (write) / RBR (read); DLL when DLAB
        case interruptEnable   // IER; DLM when DLAB
        case interruptId       // IIR (read) / FCR (write)
        case lineControl       // LCR
        case modemControl      // MCR
        case lineStatus        // LSR
        case modemStatus       // MSR
        case scratch           // SCR
    }

    static let lsrTransmitterEmpty: UInt8 = 0x60      // THRE | TEMT, no data ready
    static let iirNoInterrupt: UInt8 = 0x01
    static let iirTHRE: UInt8 = 0x02
    static let iirReceived: UInt8 = 0x04
    static let iirModemStatus: UInt8 = 0x00
    static let ierReceived: UInt8 = 0x01
    static let ierTHRE: UInt8 = 0x02
    static let ierModemStatus: UInt8 = 0x08
    static let lsrDataReady: UInt8 = 0x01
    static let msrDCD: UInt8 = 0x80
    static let msrDeltaDCD: UInt8 = 0x08
    static let iirFIFOsEnabled: UInt8 = 0xc0
    static let lcrDLAB: UInt8 = 0x80
    static let mcrLoopback: UInt8 = 0x10
    static let mcrRTS: UInt8 = 0x02
    // CTS, DSR and DCD asserted, as a port with a terminal attached reads.
    static let msrIdle: UInt8 = 0xb0

    private(set) var ier: UInt8 = 0
    private(set) var lcr: UInt8 = 0
    private(set) var mcr: UInt8 = 0
    private(set) var scr: UInt8 = 0
    private(set) var fcr: UInt8 = 0
    private(set) var divisorLow: UInt8 = 0x0c   // 9600 baud at reset, like most firmware leaves it
    private(set) var divisorHigh: UInt8 = 0
    private(set) var thrEmptyPending = false
    /// Where received bytes come from; nil: nothing is attached (the carrier stays up).
    var input: SerialInput?
    private var carrierLost = false
    private var deltaDCD = false

    init(input: SerialInput? = nil) { self.input = input }

    /// The guest is ready to receive (RTS), and not looping its own output back.
    private var receiving: Bool { mcr & (Self.mcrRTS | Self.mcrLoopback) == Self.mcrRTS }
    private var dataReady: Bool { receiving && input?.hasData == true }

    /// Latches a carrier drop (DDCD) once the input has ended and been read.
    private mutating func updateCarrier() {
        if !carrierLost, input?.drained == true { carrierLost = true; deltaDCD = true }
    }

    /// The interrupt output (to the PIC/IOAPIC through KVM_IRQ_LINE).
    mutating func interruptPending() -> Bool {
        updateCarrier()
        return (ier & Self.ierReceived != 0 && dataReady) || (thrEmptyPending && ier & Self.ierTHRE != 0)
            || (ier & Self.ierModemStatus != 0 && deltaDCD)
    }

    /// A write; returns the byte to transmit, if this write was one.
    mutating func write(offset: UInt16, value: UInt8) -> UInt8? {
        guard let r = Register(rawValue: offset) else { return nil }
        let dlab = lcr & Self.lcrDLAB != 0
        switch r {
        case .data:
            if dlab { divisorLow = value; return nil }
            thrEmptyPending = true      // sent at once: THR is empty again
            return value
        case .interruptEnable:
            if dlab { divisorHigh = value } else {
                if value & Self.ierTHRE != 0 && ier & Self.ierTHRE == 0 { thrEmptyPending = true }
                ier = value & 0x0f
            }
        case .interruptId: fcr = value
        case .lineControl: lcr = value
        case .modemControl: mcr = value & 0x1f
        case .lineStatus, .modemStatus: break   // read-only in practice
        case .scratch: scr = value
        }
        return nil
    }

    mutating func read(offset: UInt16) -> UInt8 {
        guard let r = Register(rawValue: offset) else { return 0xff }
        let dlab = lcr & Self.lcrDLAB != 0
        switch r {
        case .data: return dlab ? divisorLow : (receiving ? input?.receive() : nil) ?? 0
        case .interruptEnable: return dlab ? divisorHigh : ier
        case .interruptId:
            let fifos = fcr & 1 != 0 ? Self.iirFIFOsEnabled : 0
            updateCarrier()
            if ier & Self.ierReceived != 0 && dataReady { return Self.iirReceived | fifos }
            if thrEmptyPending && ier & Self.ierTHRE != 0 {
                thrEmptyPending = false     // reading IIR clears a THRE interrupt
                return Self.iirTHRE | fifos
            }
            if ier & Self.ierModemStatus != 0 && deltaDCD { return Self.iirModemStatus | fifos }
            return Self.iirNoInterrupt | fifos
        case .lineControl: return lcr
        case .modemControl: return mcr
        case .lineStatus: return Self.lsrTransmitterEmpty | (dataReady ? Self.lsrDataReady : 0)
        case .modemStatus:
            // In loopback the modem inputs mirror MCR's outputs (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD).
            if mcr & Self.mcrLoopback != 0 {
                return (mcr & 0x02) << 3 | (mcr & 0x01) << 5 | (mcr & 0x04) << 4 | (mcr & 0x08) << 4
            }
            updateCarrier()
            defer { deltaDCD = false }      // reading MSR clears the delta bits
            return (carrierLost ? Self.msrIdle & ~Self.msrDCD : Self.msrIdle) | (deltaDCD ? Self.msrDeltaDCD : 0)
        case .scratch: return scr
        }
    }
}
