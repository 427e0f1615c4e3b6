import CKVM

/// Why KVM_RUN returned, decoded in one place from `struct kvm_run`
/// (KVM API doc 5, "The kvm_run structure"). Values are checked here so that
/// nothing later indexes the run area with a KVM- or guest-supplied number.
enum VCPUExit: Equatable {
    /// OUT/OUTS: `data` holds `count` elements of `size` bytes (1, 2 or 4).
    case ioOut(port: UInt16, size: Int, count: Int, data: IOData)
    /// IN/INS: the VMM must fill `data`, `count` elements of `size` bytes.
    case ioIn(port: UInt16, size: Int, count: Int, data: IOData)
    /// A guest access to a physical address with no memory slot.
    case mmio(address: UInt64, size: Int, isWrite: Bool, data: UInt64)
    case halt
    /// Triple fault (or INIT): the guest is dead.
    case shutdown
    /// VM entry failed; `reason` is the hardware's (VMX exit qualification on Intel).
    case failEntry(reason: UInt64, cpu: UInt32)
    /// KVM could not handle something itself (suberror 1 = emulation failure).
    case internalError(suberror: UInt32, data: [UInt64])
    case systemEvent(type: UInt32)
    /// KVM_EXIT_INTR: a signal is pending; nothing to do.
    case interrupted
    /// An exit reason this VMM does not handle, with its number.
    case unhandled(reason: UInt32)
    /// KVM described an exit that does not fit its own rules (bad size, data
    /// outside the run area). Never expected; never trusted.
    case malformed(String)

    /// `internalData` supplies an internal error's data words (read only
    /// for that exit, off the hot path).
    init(_ raw: ckvm_exit, runArea: UnsafeMutableRawBufferPointer, internalData: () -> [UInt64] = { [] }) {
        switch raw.reason {
        case UInt32(KVM_EXIT_IO):
            let size = Int(raw.io_size)
            let count = Int(raw.io_count)
            guard size == 1 || size == 2 || size == 4 else {
                self = .malformed("I/O exit with access size \(size)")
                return
            }
            // count * size bytes at data_offset must lie inside the run area.
            let (bytes, o1) = count.multipliedReportingOverflow(by: size)
            guard !o1, raw.io_data_offset <= UInt64(runArea.count),
                  bytes <= runArea.count - Int(raw.io_data_offset) else {
                self = .malformed("I/O exit data outside the run area")
                return
            }
            let start = Int(raw.io_data_offset)
            let data = IOData(UnsafeRawBufferPointer(rebasing: runArea[start..<start + bytes]))
            self = raw.io_direction == UInt8(KVM_EXIT_IO_IN)
                ? .ioIn(port: raw.io_port, size: size, count: count, data: data)
                : .ioOut(port: raw.io_port, size: size, count: count, data: data)
        case UInt32(KVM_EXIT_MMIO):
            let len = Int(raw.mmio_len)
            guard (1...8).contains(len) else {
                self = .malformed("MMIO exit with length \(len)")
                return
            }
            self = .mmio(address: raw.mmio_phys_addr, size: len, isWrite: raw.mmio_is_write != 0,
                         data: raw.mmio_data & (len == 8 ? ~0 : (UInt64(1) << (8 * UInt64(len))) - 1))
        case UInt32(KVM_EXIT_HLT): self = .halt
        case UInt32(KVM_EXIT_SHUTDOWN): self = .shutdown
        case UInt32(KVM_EXIT_FAIL_ENTRY):
            self = .failEntry(reason: raw.fail_entry_reason, cpu: raw.fail_entry_cpu)
        case UInt32(KVM_EXIT_INTERNAL_ERROR):
            self = .internalError(suberror: raw.internal_suberror, data: internalData())
        case UInt32(KVM_EXIT_SYSTEM_EVENT): self = .systemEvent(type: raw.system_event_type)
        case UInt32(KVM_EXIT_INTR): self = .interrupted
        default: self = .unhandled(reason: raw.reason)
        }
    }
}

/// The data of an OUT exit, borrowed from the run area: valid until the next
/// KVM_RUN. Avoids an allocation per exit on the hot path.
struct IOData: Equatable {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The first element, zero-extended (little-endian, as x86 writes it).
    func first(size: Int) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<min(size, bytes.count, 4) { v |= UInt32(bytes[i]) << (8 * UInt32(i)) }
        return v
    }

    /// Completes an IN: every element gets `value`'s low `size` bytes.
    func fill(with value: UInt64, size: Int) {
        let out = UnsafeMutableRawBufferPointer(mutating: bytes)
        for i in 0..<out.count { out[i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i % size))) }
    }

    static func == (a: IOData, b: IOData) -> Bool { a.bytes.elementsEqual(b.bytes) }
}

/// Names of KVM exit reasons, for reports (linux/kvm.h KVM_EXIT_*).
enum ExitReasonName {
    static let names: [UInt32: String] = [
        0: "KVM_EXIT_UNKNOWN", 1: "KVM_EXIT_EXCEPTION", 2: "KVM_EXIT_IO", 3: "KVM_EXIT_HYPERCALL",
        4: "KVM_EXIT_DEBUG", 5: "KVM_EXIT_HLT", 6: "KVM_EXIT_MMIO", 7: "KVM_EXIT_IRQ_WINDOW_OPEN",
        8: "KVM_EXIT_SHUTDOWN", 9: "KVM_EXIT_FAIL_ENTRY", 10: "KVM_EXIT_INTR", 11: "KVM_EXIT_SET_TPR",
        12: "KVM_EXIT_TPR_ACCESS", 16: "KVM_EXIT_NMI", 17: "KVM_EXIT_INTERNAL_ERROR",
        21: "KVM_EXIT_WATCHDOG", 24: "KVM_EXIT_SYSTEM_EVENT", 26: "KVM_EXIT_IOAPIC_EOI",
        27: "KVM_EXIT_HYPERV", 29: "KVM_EXIT_X86_RDMSR", 30: "KVM_EXIT_X86_WRMSR",
        31: "KVM_EXIT_DIRTY_RING_FULL", 32: "KVM_EXIT_AP_RESET_HOLD", 33: "KVM_EXIT_X86_BUS_LOCK",
        34: "KVM_EXIT_XEN", 37: "KVM_EXIT_NOTIFY", 38: "KVM_EXIT_LOONGARCH_IOCSR",
        39: "KVM_EXIT_MEMORY_FAULT",
    ]

    static func name(_ reason: UInt32) -> String {
        names[reason] ?? "exit reason \(reason)"
    }
}
