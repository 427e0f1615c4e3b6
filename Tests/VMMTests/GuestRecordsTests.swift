import Testing
@testable import VMM

/// Guest-fed records are bounded: the first ones kept in full, the rest counted.
@Suite struct GuestRecordsTests {
    func mark(_ id: UInt64) -> Mark {
        Mark(id: id, nanos: id * 10, exits: id + 1, exitsByKind: [.halt: 1], stats: StatsSnapshot(values: ["exits": id]))
    }

    @Test func keepsTheFirstMarksAndCountsTheRest() {
        var r = GuestRecords(markLimit: 3, reportLimit: 2)
        for id in 0..<10 { r.add(mark(UInt64(id))) }
        #expect(r.marks.map(\.id) == [0, 1, 2])
        #expect(r.droppedMarks == 7)
        #expect(r.totalMarks == 10)
        #expect(r.lastDroppedMark?.id == 9)
        #expect(r.lastDroppedMark?.exits == 10)
        #expect(r.lastDroppedMark?.exitsByKind.isEmpty == true)   // dropped marks keep no tables
    }

    @Test func keepsTheFirstReportsAndCountsTheRest() {
        var r = GuestRecords(markLimit: 3, reportLimit: 2)
        for n in 1...5 { r.add(report: [UInt8](repeating: 0x41, count: n)) }
        #expect(r.reports.map(\.count) == [1, 2])
        #expect(r.droppedReports == 3)
        #expect(r.droppedReportBytes == 3 + 4 + 5)
    }

    /// The bench binary's marks for --repeat 1000 (2 per repetition, 6
    /// calibration) fit in full, so MarkBrackets sees every bracket.
    @Test func theBenchmarksMarksFit() {
        #expect(GuestRecords.markLimit >= 2 * 1000 + 6)
    }

    @Test func reportTextIsEscapedForTheTerminal() {
        #expect(printableEscaped(Array("ok=1 \u{1b}[2J\\\n\t".utf8) + [0xff]) == #"ok=1 \x1b[2J\\\x0a\x09\xff"#)
    }
}
