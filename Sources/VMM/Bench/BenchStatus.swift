/// A benchmark's verdict by guest/host ratio, with the seed document's
/// tightened bands (docs/benchmarks.md): faster <= 0.90 < ok <= 1.00 <
/// marginal <= 1.10 < regression.
enum BenchStatus: String, CaseIterable, Equatable {
    case faster, ok, marginal, regression, skipped

    static func classify(ratio: Double) -> BenchStatus {
        if ratio <= 0.90 { return .faster }
        if ratio <= 1.00 { return .ok }
        if ratio <= 1.10 { return .marginal }
        return .regression
    }
}

/// Median, min and max of repeated measurements (hyperfine quotes the same).
struct Summary: Equatable {
    let median: Double
    let min: Double
    let max: Double

    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let mid = s.count / 2
        median = s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
        min = s[0]
        max = s[s.count - 1]
    }
}
