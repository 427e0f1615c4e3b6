@testable import VMMCore

/// Input: a `--baseline` file. Runs the VMM's JSON parser and the baseline
/// reader, then compares a run made of the baseline's own rows (a little
/// worse) with it. Property: what the parser accepts, the VMM's JSON writer
/// writes back to text that parses to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzInput(data, size).bytes, as: UTF8.self)
    if let value = try? JSONParser.parse(text), allFinite(value) {
        for pretty in [true, false] {
            let again = value.serialized(pretty: pretty)
            guard let back = try? JSONParser.parse(again) else { check(false, "written JSON does not parse: \(again)"); continue }
            check(back == value, "JSON round trip differs: \(again)")
        }
    }
    guard let baseline = try? Baseline.load(text) else { return 0 }
    var rows: [BenchRow] = []
    for (name, e) in baseline {
        var row = BenchRow(name: name, status: BenchStatus(rawValue: e.status) ?? .regression)
        row.exitsPerOp = e.exitsPerOp.map { $0 + 1 }
        row.instructionsPerOp = e.instructionsPerOp.map { $0 * 1.5 }
        rows.append(row)
    }
    for hardware in [false, true] { _ = Baseline.problems(current: rows, baseline: baseline, hardware: hardware) }
    return 0
}

/// JSON has no infinities: the writer turns them into null on purpose.
private func allFinite(_ v: JSON) -> Bool {
    switch v {
    case .double(let d): return d.isFinite
    case .array(let items): return items.allSatisfy(allFinite)
    case .object(let members): return members.allSatisfy { allFinite($0.1) }
    default: return true
    }
}
