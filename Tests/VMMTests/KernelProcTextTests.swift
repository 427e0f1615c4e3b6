import Testing
@testable import VMM

/// The /proc text writer (FS/ProcText.swift, compiled here through
/// KernelShared/): Linux's number formats and the bound on its buffer.
struct KernelProcTextTests {
    static func text(capacity: Int = 256, skip: Int = 0, _ body: (inout ProcText) -> Void) -> String {
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buf.deallocate() }
        var t = ProcText(buf, capacity: capacity, skip: skip)
        body(&t)
        return String(decoding: UnsafeBufferPointer(start: buf, count: t.stored), as: UTF8.self)
    }

    @Test func decimalsAndWidths() {
        #expect(Self.text { $0.decimal(0) } == "0")
        #expect(Self.text { $0.decimal(UInt64.max) } == "18446744073709551615")
        #expect(Self.text { $0.decimal(42, width: 8) } == "      42")
        #expect(Self.text { $0.decimal(123_456_789, width: 3) } == "123456789")
        #expect(Self.text { $0.signed(-17) } == "-17")
        #expect(Self.text { $0.signed(Int64.min) } == "-9223372036854775808")
    }

    /// /proc/PID/maps' "%08lx" and status' "%016llx".
    @Test func hexadecimal() {
        #expect(Self.text { $0.hex(0x400000, width: 8) } == "00400000")
        #expect(Self.text { $0.hex(0x7fff_ffff_c000, width: 8) } == "7fffffffc000")
        #expect(Self.text { $0.hex(0, width: 16) } == "0000000000000000")
        #expect(Self.text { $0.hex(UInt64.max, width: 1) } == "ffffffffffffffff")
    }

    /// /proc/uptime: "%lu.%02lu" of centiseconds.
    @Test func centiseconds() {
        #expect(Self.text { $0.centiseconds(0) } == "0.00")
        #expect(Self.text { $0.centiseconds(1_050_000_000) } == "1.05")
        #expect(Self.text { $0.centiseconds(123_999_999_999) } == "123.99")
    }

    /// fs/proc/meminfo.c show_val_kb: "MemTotal:       16318480 kB".
    @Test func meminfoLine() {
        #expect(Self.text { $0.meminfo("MemTotal", kB: 16_318_480) } == "MemTotal:       16318480 kB\n")
        #expect(Self.text { $0.meminfo("SReclaimable", kB: 0) } == "SReclaimable:          0 kB\n")
    }

    /// Text beyond the capacity is dropped, never written past the buffer.
    @Test func boundedByItsBuffer() {
        #expect(Self.text(capacity: 5) { $0.put("hello world"); $0.decimal(12345) } == "hello")
        #expect(Self.text(capacity: 3) { $0.decimal(42, width: 8) } == "   ")
    }

    /// A read at an offset keeps the window from there (a text longer than
    /// the page is read page by page); the length counts the whole text.
    @Test func windowFromAnOffset() {
        #expect(Self.text(capacity: 4, skip: 3) { $0.put("hello world") } == "lo w")
        #expect(Self.text(capacity: 4, skip: 9) { $0.put("hello world") } == "ld")
        #expect(Self.text(capacity: 4, skip: 20) { $0.put("hello world") } == "")
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: 4)
        defer { buf.deallocate() }
        var t = ProcText(buf, capacity: 4, skip: 3)
        t.put("hello world")
        #expect(t.count == 11 && t.stored == 4 && t.full)
    }
}
