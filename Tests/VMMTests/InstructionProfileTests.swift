import Testing
@testable import VMM

/// The profile's histogram and windows, and `vmm bench --profile`'s
/// subtraction: pure, no guest.
struct InstructionProfileTests {
    static let base: UInt64 = 0xffff_ffff_8010_0000
    static let symbols = KernelSymbols(symbols: [
        .init(start: base, end: base + 0x10, name: "entry"),
        .init(start: base + 0x20, end: base + 0x40, name: "handler"),
    ])

    @Test func stepsGoToTheirFunctionTheGapOrUserMode() {
        var p = InstructionProfile(symbols: Self.symbols)
        for rip in [Self.base, Self.base + 0xf, Self.base + 0x20, Self.base + 0x10, 0x40_1000] { p.step(rip: rip) }
        #expect(p.total == [2, 1, 1, 1])          // entry, handler, outside, user
        #expect(p.steps == 5)
        #expect(p.name(p.outsideBucket) == "(kernel, outside any symbol)" && p.name(p.userBucket) == "(user mode)")
    }

    @Test func marksCloseWindowsWithTheirOwnCountsAndEmulatedDelta() {
        var p = InstructionProfile(symbols: Self.symbols, emulatedAtStart: 100)
        p.step(rip: Self.base)
        p.mark(id: 0x10, emulated: 103)
        p.step(rip: Self.base + 0x20); p.step(rip: Self.base + 0x21)
        p.mark(id: 0x11, emulated: 106)
        p.mark(id: 0x12, emulated: nil)
        p.step(rip: Self.base)
        p.finish(emulated: 200)
        p.finish(emulated: 300)                    // once only
        #expect(p.windows.count == 4)
        #expect(p.windows[0] == .init(startMark: nil, endMark: 0x10, counts: [(0, 1)], emulated: 3))
        #expect(p.windows[1] == .init(startMark: 0x10, endMark: 0x11, counts: [(1, 2)], emulated: 3))
        #expect(p.windows[2] == .init(startMark: 0x11, endMark: 0x12, counts: [], emulated: nil))
        #expect(p.windows[3] == .init(startMark: 0x12, endMark: nil, counts: [(0, 1)], emulated: nil))
        #expect(p.window(from: 0x10, to: 0x11)?.steps == 2 && p.window(from: 0x11, to: 0x10) == nil)
        #expect(p.total[0] == 2 && p.total[1] == 2)
    }

    @Test func windowsPastTheLimitCountInTheTotalOnly() {
        var p = InstructionProfile(symbols: Self.symbols)
        for i in 0..<(InstructionProfile.windowLimit + 10) {
            p.step(rip: Self.base)
            p.mark(id: UInt64(i), emulated: nil)
        }
        #expect(p.windows.count == InstructionProfile.windowLimit)
        #expect(p.droppedWindows == 10)
        #expect(p.total[0] == UInt64(InstructionProfile.windowLimit + 10))
        #expect(ProfileText.render(p, kernel: "k").contains("10 more past the limit"))
    }

    @Test func theTextListsTheMostStepsFirstWithTheTotal() {
        var p = InstructionProfile(symbols: Self.symbols)
        p.step(rip: Self.base); p.step(rip: Self.base + 0x20); p.step(rip: Self.base + 0x20)
        let text = ProfileText.render(p, kernel: "k")
        let lines = text.split(separator: "\n")
        let handler = lines.firstIndex { $0.hasSuffix("  handler") }, entry = lines.firstIndex { $0.hasSuffix("  entry") }
        #expect(handler != nil && entry != nil && handler! < entry!)
        #expect(text.contains("         3  100.0%  total"))
        #expect(!text.contains("(user mode)\n"))   // zero rows are left out
    }

    /// A bench run: 3 calibration brackets, then benchmark 2's timed loop of 10 iterations.
    static func benchProfile(calibration: [UInt64] = [5, 4, 6], timedHandler: UInt64 = 43) -> InstructionProfile {
        var p = InstructionProfile(symbols: symbols, emulatedAtStart: 0)
        var emulated: UInt64 = 0
        func mark(_ id: UInt64, extra: UInt64 = 0) { emulated += extra; p.mark(id: id, emulated: emulated) }
        for (rep, n) in calibration.enumerated() {
            mark(MarkBrackets.id(benchmark: MarkBrackets.calibrationIndex, rep: rep, end: false))
            for _ in 0..<n { p.step(rip: base) }
            mark(MarkBrackets.id(benchmark: MarkBrackets.calibrationIndex, rep: rep, end: true), extra: n + 1)
        }
        mark(MarkBrackets.id(benchmark: 2, rep: 0, end: false), extra: 1000)
        for _ in 0..<(4 + 10) { p.step(rip: base) }
        for _ in 0..<timedHandler { p.step(rip: base + 0x20) }
        mark(MarkBrackets.id(benchmark: 2, rep: 0, end: true), extra: 4 + 10 + timedHandler + 1 + 10)
        return p
    }

    @Test func benchProfileSubtractsTheCheapestCalibrationWindowPerFunction() throws {
        let b = try BenchProfile(Self.benchProfile(), benchmark: 2, iterations: 10, name: "x")
        #expect(b.calibrationSteps == 4)
        #expect(b.rows == [.init(name: "handler", steps: 43, perOp: 4.3), .init(name: "entry", steps: 10, perOp: 1)])
        #expect(b.stepsPerOp == 5.3)
        // insn_emulation: timed 4+10+43+1+10 = 68, less the least calibration 5: 6.3/op.
        #expect(b.emulatedPerOp == 6.3)
        let text = b.text(name: "x", top: 1)
        #expect(text.contains("      4.30") && text.contains("(1 more functions)") && text.contains("      5.30  "))
        #expect(text.contains("      6.30  100.0%  total = KVM insn_emulation"))
    }

    @Test func benchProfileNeedsTheTimedAndCalibrationWindows() {
        #expect(throws: BenchProfile.Failure.noTimedWindow("x")) {
            try BenchProfile(Self.benchProfile(), benchmark: 3, iterations: 10, name: "x")
        }
        var p = InstructionProfile(symbols: Self.symbols)
        p.mark(id: MarkBrackets.id(benchmark: 2, rep: 0, end: false), emulated: nil)
        p.mark(id: MarkBrackets.id(benchmark: 2, rep: 0, end: true), emulated: nil)
        #expect(throws: BenchProfile.Failure.noCalibrationWindow) { try BenchProfile(p, benchmark: 2, iterations: 10, name: "x") }
    }
}
