/// How many iterations each timed repetition runs, and why: the reference
/// counts where guest kernel code runs at native speed, a time budget per
/// repetition where it is emulated (a run of the reference counts there takes
/// hours: read_null's 500k iterations cost ~100 s each on kvm_pvm).
struct IterationMode: Equatable {
    enum Counts: Equatable { case reference, budget }
    let counts: Counts
    /// Why, for the header ("chosen: software-assisted KVM").
    let reason: String

    var isBudget: Bool { counts == .budget }

    /// `--full` forces the reference counts, `--quick` the budget; without
    /// either the machine decides.
    static func choose(full: Bool, quick: Bool, kind: KVMKind, hypervisor: OuterHypervisor?) -> IterationMode {
        if full { return IterationMode(counts: .reference, reason: "--full") }
        if quick { return IterationMode(counts: .budget, reason: "--quick") }
        switch kind {
        case .software(let module):
            return IterationMode(counts: .budget, reason: "default on software-assisted KVM (\(module)): guest ring 0 is emulated; --full for the reference counts")
        case .unknown:
            return IterationMode(counts: .budget, reason: "default on a KVM of unknown kind; --full for the reference counts")
        case .hardware:
            if let h = hypervisor, h.emulatesCPU {
                return IterationMode(counts: .budget, reason: "default under \(h.name): guest code is emulated; --full for the reference counts")
            }
            return IterationMode(counts: .reference, reason: "default on hardware-assisted KVM" + (hypervisor.map { " under \($0.name)" } ?? "")
                                 + "; --quick for a time budget")
        }
    }
}

extension KVMKind {
    /// Whether guest/host time ratios say anything about bare metal: only on
    /// hardware-assisted KVM that is not itself inside another hypervisor.
    func predictsBareMetal(under hypervisor: OuterHypervisor?) -> Bool {
        if case .hardware = self { return hypervisor == nil }
        return false
    }
}
