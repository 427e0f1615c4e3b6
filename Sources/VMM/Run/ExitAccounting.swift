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
struct ExitAccounting {
    private(set) var byKind: [ExitKind: ExitAggregate] = [:]
    private(set) var total: UInt64 = 0

    mutating func record(_ kind: ExitKind, nanos: UInt64) {
        total &+= 1
        byKind[kind, default: ExitAggregate()].record(nanos)
    }

    var counts: [ExitKind: UInt64] { byKind.mapValues { $0.count } }

    /// Rows sorted by kind.
    var rows: [(ExitKind, ExitAggregate)] { byKind.sorted { $0.key < $1.key } }
}
