import KernelSupport

/// The COM1 16550 UART (VMM_PORT_COM1): poll LSR.THRE (bit 5), then write THR.
/// With the FIFOs on (a 16550A, IIR bits 7:6 set), THRE means the 16-byte
/// transmit FIFO is empty, so 16 bytes go per poll (as Linux's 8250 driver,
/// tx_loadsz): about 1.06 port exits per byte instead of 2.
enum Console {
    static let thr = UInt16(VMM_PORT_COM1)
    static let fcr = UInt16(VMM_PORT_COM1 + 2)      // write: FIFO control; read: IIR
    static let lsr = UInt16(VMM_PORT_COM1 + 5)
    nonisolated(unsafe) static var quiet = false
    nonisolated(unsafe) static var burst: UInt8 = 1     // bytes per THRE poll
    nonisolated(unsafe) static var credit: UInt8 = 0    // bytes writable before the next poll

    /// Enables and clears the FIFOs; keeps bursts of 1 if the UART has none.
    static func initialize() {
        outb(fcr, 0x07)
        burst = inb(fcr) & 0xc0 == 0xc0 ? 16 : 1
        credit = 0
    }

    static func put(_ byte: UInt8) {
        if capturing {
            if logLength < logCapacity, let b = logBuffer { b[logLength] = byte; logLength += 1 }
            return
        }
        if credit == 0 {
            while inb(lsr) & 0x20 == 0 {}
            credit = burst
        }
        outb(thr, byte)
        credit -= 1
    }

    static func write(_ s: StaticString) {
        let p = s.utf8Start
        for i in 0..<s.utf8CodeUnitCount { put(p[i]) }
    }

    static func write(bytes p: UnsafePointer<UInt8>, count: Int) {
        for i in 0..<count { put(p[i]) }
    }

    static func hex(_ v: UInt64, digits: Int = 16) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            let d = UInt8(truncatingIfNeeded: (v >> UInt64(shift)) & 0xf)
            put(d < 10 ? 0x30 + d : 0x57 + d)
            shift -= 4
        }
    }

    static func dec(_ v: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[n] = UInt8(truncatingIfNeeded: x % 10) + 0x30
                x /= 10
                n += 1
            } while x != 0 && n < 20
            while n > 0 { n -= 1; put(buf[n]) }
        }
    }

    // Kernel log lines (unknown system calls, killed processes) do not go to
    // the console, which is the program's stdout: they go to the VMM through
    // their own hypercall, VMM_HC_LOG (vmm's stderr; `--exit-stats` lists
    // them too), or VMM_HC_REPORT from a VMM without it. `debug` on the
    // command line also echoes them to the console; `quiet` drops them.
    static let logCapacity = 240
    nonisolated(unsafe) static var echo = false
    nonisolated(unsafe) static var capturing = false
    nonisolated(unsafe) static var logLength = 0
    nonisolated(unsafe) static var logBuffer = UnsafeMutablePointer<UInt8>(bitPattern: 0)

    /// Starts a log line; the following writes build it until endLog().
    static func log(_ s: StaticString) {
        if logBuffer == nil { logBuffer = .allocate(capacity: logCapacity) }   // kernel image: below 2 GiB
        capturing = true
        logLength = 0
        write("kernel: ")
        write(s)
    }

    /// Ends the line and sends it; `killedBy` says the line reports the
    /// running program's death by that signal.
    static func endLog(killedBy: Int32 = 0) {
        capturing = false
        guard let b = logBuffer else { return }
        if !quiet {
            let physical = UInt64(UInt(bitPattern: b)) &- Physical.kernelVirtualBase
            if Hypercall.log(physical, logLength, killedBy: UInt64(UInt32(bitPattern: killedBy))) == Int64(VMM_HC_ENOSYS) {
                _ = Hypercall.report(physical, logLength)
            }
            if echo { write(bytes: b, count: logLength); put(0x0a) }
        }
    }
}
