/// The console's terminal settings, as tty_std_termios in Linux
/// (drivers/tty/tty_io.c) but without output post-processing: the VMM gets the
/// program's bytes unchanged.
enum ConsoleTTY {
    /// The kernel's struct termios for TCGETS (asm-generic/termbits.h, NCCS 19):
    /// not libc's 60-byte one.
    static let size = 36

    nonisolated(unsafe) static let termios: UnsafeMutableRawPointer = {
        let t = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        t.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        t.storeBytes(of: UInt32(0o2400), toByteOffset: 0, as: UInt32.self)      // c_iflag ICRNL | IXON
        t.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)           // c_oflag: no OPOST
        t.storeBytes(of: UInt32(0o2277), toByteOffset: 8, as: UInt32.self)       // c_cflag B38400 | CS8 | CREAD | HUPCL
        t.storeBytes(of: UInt32(0o105073), toByteOffset: 12, as: UInt32.self)   // c_lflag ISIG ICANON ECHO... IEXTEN
        // c_cc (INIT_C_CC): intr ^C, quit ^\\, erase DEL, kill ^U, eof ^D, time 0, min 1, ...
        let cc: [UInt8] = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0]
        for (i, c) in cc.enumerated() { t.storeBytes(of: c, toByteOffset: 17 + i, as: UInt8.self) }
        return t
    }()

    nonisolated(unsafe) static let winsize: UnsafeMutableRawPointer = {
        let w = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        w.initializeMemory(as: UInt8.self, repeating: 0, count: 8)
        return w
    }()
}
