import Glibc

/// Draws a bench report as an SVG a person can read at a glance: one row per
/// benchmark; left, the guest/host ratio as a bar on a log scale with the
/// status bands and the 1.0 line; right, guest-kernel instructions per
/// operation (log scale). Skipped benchmarks say so in grey. With a Linux
/// guest (`--linux-kernel`) each row has a second, purple bar below the
/// first: the Swift guest's ns over the Linux guest's.
enum SVGChart {
    static let rowHeight = 18
    static let nameWidth = 150
    /// Width of one character at font-size 11, generous (digits are ~6.1 px
    /// in common sans-serif fonts): labels are laid out with it so they fit.
    static let charWidth = 6.5
    static let ratioWidth = 420
    static let instrWidth = 260

    static func render(_ report: BenchReport) -> String {
        let rows = report.rows
        let top = 64
        let height = top + rows.count * rowHeight + 40
        let ratioX = nameWidth + 10
        let instrX = ratioX + ratioWidth + 30
        let width = instrX + instrWidth + 20
        // Ratio axis: log10 from the smallest to the largest ratio seen, always including 1.
        // Each axis leaves room at its right end for the longest value label.
        let withLinux = report.environment.linuxKernel != nil
        let ratios = (rows.compactMap(\.ratio) + rows.compactMap(\.ratioVsLinux)).filter { $0 > 0 }
        let lo = min(0.5, ratios.min() ?? 0.5), hi = max(2.0, ratios.max() ?? 2.0)
        let ratioScale = Double(ratioWidth) - labelRoom(ratios.map { BenchReport.fixed($0, 2) + (withLinux ? " / 00.00" : "") })
        func rx(_ r: Double) -> Double { Double(ratioX) + ratioScale * (log10(r) - log10(lo)) / (log10(hi) - log10(lo)) }
        let instrs = rows.compactMap(\.instructionsPerOp).filter { $0 > 0 }
        let imax = max(10.0, instrs.max() ?? 10)
        let instrScale = Double(instrWidth) - labelRoom(instrs.map { BenchReport.fixed($0, 0) })
        func ix(_ v: Double) -> Double { Double(instrX) + instrScale * log10(1 + v) / log10(1 + imax) }
        let reasonChars = Int(Double(width - ratioX - 8) / charWidth)

        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        let note = report.environment.predictsBareMetal ? "" : " (emulated or nested: ratios do not predict bare metal)"
        let title = withLinux ? "vmm bench: guest ns / host ns (bars), guest ns / Linux guest ns (purple) per operation"
            : "vmm bench: guest ns / host ns per operation"
        s += text(10, 18, "\(title)\(note)", size: 13, weight: "bold")
        s += text(10, 36, escape(report.summaryLine))
        s += text(ratioX, top - 8, "ratio (log scale)")
        s += text(instrX, top - 8, "guest-kernel instructions / op (log scale)")
        // Status bands.
        let bands: [(Double, Double, String)] = [(lo, 0.90, "#dff0d8"), (0.90, 1.00, "#eef6e8"), (1.00, 1.10, "#fcf8e3"), (1.10, hi, "#f2dede")]
        for (a, b, color) in bands where b > lo && a < hi {
            let x0 = rx(max(a, lo)), x1 = rx(min(b, hi))
            s += "<rect x=\"\(f(x0))\" y=\"\(top)\" width=\"\(f(x1 - x0))\" height=\"\(rows.count * rowHeight)\" fill=\"\(color)\"/>\n"
        }
        s += "<line x1=\"\(f(rx(1)))\" y1=\"\(top - 4)\" x2=\"\(f(rx(1)))\" y2=\"\(top + rows.count * rowHeight)\" stroke=\"black\"/>\n"
        for (i, r) in rows.enumerated() {
            let y = top + i * rowHeight
            s += text(10, y + 13, escape(r.name))
            let barHeight = withLinux ? (rowHeight - 6) / 2 : rowHeight - 6
            if let ratio = r.ratio, ratio > 0 {
                let x1 = rx(ratio), x0 = rx(1)
                let color = r.status == .regression ? "#c9302c" : r.status == .marginal ? "#ec971f" : "#449d44"
                s += "<rect x=\"\(f(min(x0, x1)))\" y=\"\(y + 3)\" width=\"\(f(max(1, abs(x1 - x0))))\" height=\"\(barHeight)\" fill=\"\(color)\"/>\n"
                var label = BenchReport.fixed(ratio, 2)
                if let l = r.ratioVsLinux, l > 0 {
                    let lx = rx(l)
                    s += "<rect x=\"\(f(min(x0, lx)))\" y=\"\(y + 3 + barHeight)\" width=\"\(f(max(1, abs(lx - x0))))\" height=\"\(barHeight)\" fill=\"#6f42c1\"/>\n"
                    label += " / " + BenchReport.fixed(l, 2)
                }
                s += text(Int(max(x0, x1, r.ratioVsLinux.map(rx) ?? 0)) + 4, y + 13, label)
            } else {
                s += text(ratioX + 4, y + 13, escape(clipped("skipped: \(r.reason ?? "")", reasonChars)), color: "#888")
            }
            if let v = r.instructionsPerOp {
                s += "<rect x=\"\(instrX)\" y=\"\(y + 3)\" width=\"\(f(max(1, ix(v) - Double(instrX))))\" height=\"\(rowHeight - 6)\" fill=\"#337ab7\"/>\n"
                s += text(Int(ix(v)) + 4, y + 13, BenchReport.fixed(v, 0))
            }
        }
        let axisY = top + rows.count * rowHeight + 16
        for t in [0.5, 1.0, 2.0, 10.0, 100.0, 1000.0] where t >= lo && t <= hi {
            s += text(Int(rx(t)) - 8, axisY, BenchReport.fixed(t, t < 1 ? 1 : 0))
        }
        return s + "</svg>\n"
    }

    /// Pixels a label of the longest of `labels` needs after its bar.
    static func labelRoom(_ labels: [String]) -> Double {
        Double(labels.map(\.count).max() ?? 0) * charWidth + 8
    }

    static func clipped(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : String(s.prefix(max(0, n - 1))) + "…"
    }

    private static func text(_ x: Int, _ y: Int, _ t: String, size: Int = 11, weight: String = "normal", color: String = "black") -> String {
        "<text x=\"\(x)\" y=\"\(y)\" font-size=\"\(size)\" font-weight=\"\(weight)\" fill=\"\(color)\">\(t)</text>\n"
    }

    private static func f(_ v: Double) -> String { BenchReport.fixed(v, 1) }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
