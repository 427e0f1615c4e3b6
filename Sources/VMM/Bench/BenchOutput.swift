/// The benchmark binary's output (guest-images/bench/README.md, "Output"):
/// one record per line. Parsing is strict about what it uses and ignores
/// lines it does not know, so console noise cannot forge a result.
struct BenchOutput: Equatable {
    struct Repetition: Equatable {
        let rep: Int
        let iterations: UInt64
        let nanos: UInt64
        let nanosPerOp: Double
    }

    /// Benchmarks in the order they first appeared.
    private(set) var order: [String] = []
    private(set) var repetitions: [String: [Repetition]] = [:]
    private(set) var skipped: [String: String] = [:]
    private(set) var checks: [String: String?] = [:]      // name -> nil (ok) or failure reason
    private(set) var began = false
    private(set) var ended = false

    init(text: String) {
        // "\r\n" (a tty's ONLCR: Linux's console) is one Character in Swift,
        // so it is a separator of its own.
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            parse(line.hasSuffix("\r") ? line.dropLast() : line)
        }
    }

    /// "key=value key=value ..." (values without spaces), plus an optional
    /// trailing `reason=` that runs to the end of the line.
    static func fields(_ s: Substring) -> [Substring: Substring] {
        var out: [Substring: Substring] = [:]
        var rest = s
        while true {
            rest = rest.drop(while: { $0 == " " })
            guard !rest.isEmpty else { break }
            let tokenEnd = rest.firstIndex(of: " ") ?? rest.endIndex
            let token = rest[..<tokenEnd]
            if let eq = token.firstIndex(of: "=") {
                let key = token[..<eq]
                if key == "reason" { out[key] = rest[rest.index(after: eq)...]; break }
                out[key] = token[token.index(after: eq)...]
            }   // a bare word ("ok", "failed") carries no field
            rest = rest[tokenEnd...]
        }
        return out
    }

    private mutating func parse(_ line: Substring) {
        let space = line.firstIndex(of: " ") ?? line.endIndex
        let kind = line[..<space]
        let f = Self.fields(line[space...])
        switch kind {
        case "bench-begin": began = true
        case "bench-end": ended = true
        case "result":
            guard let name = f["name"].map(String.init), let rep = f["rep"].flatMap({ Int($0) }),
                  let iters = f["iters"].flatMap({ UInt64($0) }), iters > 0,
                  let ns = f["ns"].flatMap({ UInt64($0) }),
                  let perOp = f["ns_per_op"].flatMap({ Double($0) }), perOp.isFinite, perOp >= 0 else { return }
            note(name)
            repetitions[name, default: []].append(Repetition(rep: rep, iterations: iters, nanos: ns, nanosPerOp: perOp))
        case "skipped":
            guard let name = f["name"].map(String.init) else { return }
            note(name)
            skipped[name] = f["reason"].map(String.init) ?? "no reason given"
        case "check":
            guard let name = f["name"].map(String.init) else { return }
            note(name)
            checks[name] = line.contains(" ok") && f["reason"] == nil ? .some(nil) : .some(f["reason"].map(String.init) ?? "failed")
        default:
            return
        }
    }

    private mutating func note(_ name: String) {
        if repetitions[name] == nil && skipped[name] == nil && checks[name] == nil { order.append(name) }
    }
}
