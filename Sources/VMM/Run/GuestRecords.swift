/// The marks and reports a guest sends, kept within a bound: a guest can
/// issue a hypercall per system call for as long as it likes, so the VMM
/// keeps the first `markLimit` marks and `reportLimit` reports in full and,
/// past that, only counts (the `--exit-stats` text and the JSON say how many
/// were dropped). The benchmark binary issues 2 marks per timed repetition
/// (at most 2 x 1000 with `--repeat 1000`) plus 6 calibration marks per boot,
/// well inside the bound.
struct GuestRecords {
    /// ~1.7 KB each (exit counts and KVM statistics per mark): ~7 MB at most.
    static let markLimit = 4096
    /// At most VMM_REPORT_MAX (4 KiB) each: 256 KiB at most.
    static let reportLimit = 64

    private(set) var marks: [Mark] = []
    private(set) var reports: [[UInt8]] = []
    /// Marks seen past the limit, and the last of them (id, time, exits).
    private(set) var droppedMarks: UInt64 = 0
    private(set) var lastDroppedMark: Mark?
    private(set) var droppedReports: UInt64 = 0
    private(set) var droppedReportBytes: UInt64 = 0

    let markLimit: Int
    let reportLimit: Int

    init(markLimit: Int = GuestRecords.markLimit, reportLimit: Int = GuestRecords.reportLimit) {
        self.markLimit = markLimit
        self.reportLimit = reportLimit
    }

    var totalMarks: UInt64 { UInt64(marks.count) &+ droppedMarks }

    mutating func add(_ mark: Mark) {
        if marks.count < markLimit {
            marks.append(mark)
        } else {
            droppedMarks &+= 1
            lastDroppedMark = Mark(id: mark.id, nanos: mark.nanos, exits: mark.exits, exitsByKind: [:],
                                   stats: StatsSnapshot(values: [:]))
        }
    }

    mutating func add(report bytes: [UInt8]) {
        if reports.count < reportLimit {
            reports.append(bytes)
        } else {
            droppedReports &+= 1
            droppedReportBytes &+= UInt64(bytes.count)
        }
    }
}
