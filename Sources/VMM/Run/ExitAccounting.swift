/// Count and VMM-side handling time of one kind of exit (Firecracker's
/// per-vCPU metrics keep the same min/sum/max).
struct ExitAggregate: Equatable {
    var count: UInt64 = 0
    var totalNanos: UInt64 = 0
    var minNanos: UInt64 = .max
    var maxNanos: UInt64 = 0

    mutating func record(_ nanos: UInt64) {
        count &+= 1
        totalNanos &+= nanos
        if nanos < minNanos { minNanos = nanos }
        if nanos > maxNanos { maxNanos = nanos }
    }

    var averageNanos: UInt64 { count == 0 ? 0 : totalNanos / count }
}

/// Per-kind exit counters for one vCPU.
///
/// On the hot path the same kind usually repeats (a loop of port writes), so
/// the slot of the last kind is remembered and the dictionary is only
/// consulted when the kind changes.
struct ExitAccounting {
    private var kinds: [ExitKind] = []
    private var aggregates: [ExitAggregate] = []
    private var slotOf: [ExitKind: Int] = [:]
    private var lastKind: ExitKind?
    private var lastSlot = 0
    private(set) var total: UInt64 = 0

    mutating func record(_ kind: ExitKind, nanos: UInt64) {
        total &+= 1
        if kind != lastKind {
            if let slot = slotOf[kind] {
                lastSlot = slot
            } else {
                lastSlot = kinds.count
                slotOf[kind] = lastSlot
                kinds.append(kind)
                aggregates.append(ExitAggregate())
            }
            lastKind = kind
        }
        aggregates[lastSlot].record(nanos)
    }

    var counts: [ExitKind: UInt64] { Dictionary(uniqueKeysWithValues: zip(kinds, aggregates.map(\.count))) }

    /// Rows sorted by kind.
    var rows: [(ExitKind, ExitAggregate)] { zip(kinds, aggregates).sorted { $0.0 < $1.0 } }
}
