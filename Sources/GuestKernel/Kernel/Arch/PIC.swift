import KernelSupport

/// The 8259A pair of KVM's in-kernel irqchip, for the one ISA interrupt this
/// kernel takes: COM1's, IRQ 4 (the VMM drives it with KVM_IRQ_LINE). The
/// PIC reaches the CPU through the local APIC's LINT0 in ExtINT mode
/// (virtual-wire mode, Intel MP spec 3.6.2.2), which KVM sets at reset for
/// the boot CPU and this sets again. Initialised as Linux's i8259.c does
/// (ICW1..ICW4; 8259A datasheet), but with automatic EOI (ICW4 bit 1): no
/// port write per interrupt. Port accesses go to KVM's in-kernel PIC, not
/// to the VMM: no VM exit. Only used when the console has input.
enum PIC {
    static let masterCommand: UInt16 = 0x20, masterData: UInt16 = 0x21
    static let slaveCommand: UInt16 = 0xa0, slaveData: UInt16 = 0xa1
    static let masterBase: UInt64 = 0x30       // IRQ 0..7 -> vectors 0x30..0x37
    static let slaveBase: UInt64 = 0x38
    static let consoleIRQ: UInt8 = 4
    static let consoleVector: UInt64 = masterBase + UInt64(consoleIRQ)
    static let lvtLINT0: UInt32 = 0x835        // x2APIC LVT LINT0 (SDM Vol. 3A, table 11-6)
    static let extINT: UInt64 = 0x700

    nonisolated(unsafe) static var enabled = false

    static func enableConsole() {
        guard LAPIC.present else { return }
        wrmsr(lvtLINT0, extINT)
        outb(masterCommand, 0x11); outb(slaveCommand, 0x11)     // ICW1: edge, cascade, ICW4 follows
        outb(masterData, UInt8(masterBase)); outb(slaveData, UInt8(slaveBase))   // ICW2: vector bases
        outb(masterData, 0x04); outb(slaveData, 0x02)           // ICW3: slave on IRQ 2
        outb(masterData, 0x03); outb(slaveData, 0x03)           // ICW4: 8086 mode, automatic EOI
        outb(masterData, ~(UInt8(1) << consoleIRQ)); outb(slaveData, 0xff)      // OCW1: only IRQ 4
        enabled = true
    }
}
