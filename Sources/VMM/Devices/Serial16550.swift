/// COM1 as a 16550A UART with nothing attached and nothing to receive
/// (register map: National Semiconductor PC16550D datasheet, table II).
/// Bytes written to THR go to the console sink unchanged; LSR always says the
/// transmitter is empty; other registers read back what an idle 16550 would.
/// The one interrupt it raises is "transmitter holding register empty"
/// (datasheet, "Interrupt Identification Register"): pending when IER
/// enables it and THR empties (at once, here: on every byte and when the
/// enable bit is set), cleared by reading IIR or by disabling it. Linux's
/// 8250 driver sends user-space output on it (IRQ 4 for COM1).
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
    static let ierTHRE: UInt8 = 0x02
    static let iirFIFOsEnabled: UInt8 = 0xc0
    static let lcrDLAB: UInt8 = 0x80
    static let mcrLoopback: UInt8 = 0x10
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

    /// The interrupt output (to the PIC/IOAPIC through KVM_IRQ_LINE).
    var interruptPending: Bool { thrEmptyPending && ier & Self.ierTHRE != 0 }

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
        case .data: return dlab ? divisorLow : 0         // nothing received
        case .interruptEnable: return dlab ? divisorHigh : ier
        case .interruptId:
            let fifos = fcr & 1 != 0 ? Self.iirFIFOsEnabled : 0
            guard interruptPending else { return Self.iirNoInterrupt | fifos }
            thrEmptyPending = false     // reading IIR clears a THRE interrupt
            return Self.iirTHRE | fifos
        case .lineControl: return lcr
        case .modemControl: return mcr
        case .lineStatus: return Self.lsrTransmitterEmpty
        case .modemStatus:
            // In loopback the modem inputs mirror MCR's outputs (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD).
            if mcr & Self.mcrLoopback != 0 {
                return (mcr & 0x02) << 3 | (mcr & 0x01) << 5 | (mcr & 0x04) << 4 | (mcr & 0x08) << 4
            }
            return Self.msrIdle
        case .scratch: return scr
        }
    }
}
