import CKVM

/// How guest RAM's stage-2 (or shadow) mappings are warmed before the
/// program runs (`--warm`).
///  - `none`: the first touch of each page faults in the host during the run;
///  - `touch`: the guest kernel writes one byte per free page at boot
///    (VMM_BOOT_FLAG_TOUCH_RAM), bracketed by the VMM_MARK_TOUCH_RAM_* marks;
///  - `prefault`: KVM_PRE_FAULT_MEMORY maps all of RAM before the vCPU
///    runs (KVM API doc 4.143; Linux 6.10+, KVM_CAP_PRE_FAULT_MEMORY).
enum WarmMode: String, CaseIterable {
    case none, touch, prefault

    /// The default: `prefault` where KVM offers it, else `touch`, when RAM
    /// is preallocated (warming pages the host may reclaim buys little);
    /// `none` otherwise.
    static func choose(requested: WarmMode?, preallocated: Bool, prefaultOffered: Bool) throws -> WarmMode {
        if let r = requested {
            if r == .prefault && !prefaultOffered { throw Unsupported() }
            return r
        }
        guard preallocated else { return .none }
        return prefaultOffered ? .prefault : .touch
    }

    struct Unsupported: Error, CustomStringConvertible {
        var description: String { "--warm prefault: this KVM does not offer KVM_CAP_PRE_FAULT_MEMORY (Linux 6.10+); use --warm touch" }
    }
}

/// What the warm-up cost: the pre-fault ioctl (VMM side) or the guest's
/// touch loop (between its marks), and the stage-2 faults it took.
struct WarmReport: Equatable {
    var mode: WarmMode = .none
    var prefaultNanos: UInt64?
    /// Stage2Faults.statistic during the KVM_PRE_FAULT_MEMORY ioctl: 0 on
    /// Linux 6.12's kvm_amd (measured in the nested harness), as the ioctl
    /// maps through kvm_tdp_map_page(), which does not count pf_fixed; so it
    /// is in the JSON only, not in the summary line, where it would read as
    /// "nothing was mapped".
    var prefaultFaults: UInt64?
    var touchNanos: UInt64?
    /// Stage2Faults.statistic during the touch loop: faults the run no longer takes.
    var touchFaults: UInt64?
    /// Bytes between the guest's touches: 2 MiB when the host backs all RAM
    /// with huge pages (HugePageBacking), else 4 KiB.
    var touchStride: UInt64?
    /// The host's populate and mlock of RAM (--prealloc), kept here by `vmm bench`.
    var populateNanos: UInt64?
    var lockNanos: UInt64?

    static let touchBegin = UInt64(VMM_MARK_TOUCH_RAM_BEGIN)
    static let touchEnd = UInt64(VMM_MARK_TOUCH_RAM_END)

    /// Fills in the touch figures from the guest's marks, if it made both.
    mutating func read(marks: [Mark]) {
        guard let b = marks.first(where: { $0.id == Self.touchBegin }),
              let e = marks.first(where: { $0.id == Self.touchEnd }), e.nanos >= b.nanos else { return }
        touchNanos = e.nanos - b.nanos
        if let x = b.stats.values[Stage2Faults.statistic], let y = e.stats.values[Stage2Faults.statistic], y >= x {
            touchFaults = y - x
        }
    }

    /// One line for --exit-stats and the bench header.
    var summary: String {
        switch mode {
        case .none: return "none (pages fault in on first use)"
        case .prefault: return "prefault (KVM_PRE_FAULT_MEMORY " + (prefaultNanos.map { "\(ms($0)) ms" } ?? "-") + ")"
        case .touch:
            guard let t = touchNanos else { return "touch (the guest made no touch marks)" }
            return "touch (guest touch loop \(ms(t)) ms" + (touchStride.map { ", one byte per \($0 >= HugePageBacking.pageSize ? "2 MiB" : "4 KiB")" } ?? "")
                + (touchFaults.map { ", \($0) stage-2 faults" } ?? "") + ")"
        }
    }

    func json() -> JSON {
        func n(_ v: UInt64?) -> JSON { v.map(JSON.uint) ?? .null }
        var fields: [(String, JSON)] = [("mode", .string(mode.rawValue)), ("prefault_ns", n(prefaultNanos)),
                                        ("prefault_stage2_faults", n(prefaultFaults)),
                                        ("guest_touch_ns", n(touchNanos)), ("guest_touch_stage2_faults", n(touchFaults)),
                                        ("guest_touch_stride", n(touchStride))]
        if populateNanos != nil || lockNanos != nil { fields += [("populate_ns", n(populateNanos)), ("mlock_ns", n(lockNanos))] }
        return .object(fields)
    }

    /// The median boot of a bench run (by total warm-up time): one figure per side
    /// of the header, all from the same boot.
    static func median(_ boots: [WarmReport]) -> WarmReport? {
        func total(_ w: WarmReport) -> UInt64 {
            [w.prefaultNanos, w.touchNanos, w.populateNanos, w.lockNanos].reduce(0) { $0 &+ ($1 ?? 0) }
        }
        let sorted = boots.sorted { total($0) < total($1) }
        return sorted.isEmpty ? nil : sorted[sorted.count / 2]
    }

    /// Host populate/mlock and the warm-up itself, for the bench header.
    var benchSummary: String {
        var s = summary
        if let p = populateNanos, let l = lockNanos, p > 0 || l > 0 { s += "; host populate \(ms(p)) ms, mlock \(ms(l)) ms" }
        return s
    }

    private func ms(_ ns: UInt64) -> String { BenchReport.fixed(Double(ns) / 1e6, 2) }
}
