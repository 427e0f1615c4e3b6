import Testing
@testable import VMM

/// Linux's load-average arithmetic (Process/FixedLoad.swift, compiled here
/// through KernelShared/): one task always active for a minute brings the
/// 1-minute average to 1 - 1/e, catching up n samples at once lands where n
/// single samples do, and the text rounds to the hundredth as Linux's.
struct KernelFixedLoadTests {
    static let one = FixedLoad.one

    @Test func oneMinuteOfOneTaskIsOneLessOneOverE() {
        var load: UInt64 = 0
        for _ in 0..<12 { load = FixedLoad.fold(load, FixedLoad.exps.0, Self.one) }    // 12 samples, 5 s apart
        #expect(FixedLoad.hundredths(load) == (0, 63))                                   // 1 - 1/e = 0.632
        for _ in 0..<200 { load = FixedLoad.fold(load, FixedLoad.exps.0, Self.one) }
        #expect(load == Self.one)                                                        // rounds up to exactly 1.00
        for _ in 0..<12 { load = FixedLoad.fold(load, FixedLoad.exps.0, 0) }
        #expect(FixedLoad.hundredths(load) == (0, 37))                                   // 1/e = 0.368
    }

    /// calc_load_n: exp^n folded once is n folds, to within the rounding
    /// (exp^n's fixed-point products drift: 2% after 60 samples of EXP_5, in Linux too).
    @Test func catchingUpMissedSamplesAtOnce() {
        for (exp, n) in [(FixedLoad.exps.0, UInt64(12)), (FixedLoad.exps.1, 60), (FixedLoad.exps.2, 7)] {
            var stepwise = Self.one * 3
            for _ in 0..<n { stepwise = FixedLoad.fold(stepwise, exp, 0) }
            let once = FixedLoad.fold(Self.one * 3, FixedLoad.power(exp, n), 0)
            #expect(once.distance(to: stepwise).magnitude <= stepwise / 50 + 8, "exp \(exp), \(n) samples: \(once) vs \(stepwise)")
        }
        #expect(FixedLoad.power(FixedLoad.exps.0, 0) == Self.one)
        #expect(FixedLoad.power(FixedLoad.exps.0, 1) == FixedLoad.exps.0)
        #expect(FixedLoad.power(FixedLoad.exps.0, 1 << 40) == 0)             // a long idle decays to 0, no overflow
    }

    @Test func hundredthsRoundAsLoadavgProcShow() {
        #expect(FixedLoad.hundredths(0) == (0, 0))
        #expect(FixedLoad.hundredths(Self.one) == (1, 0))
        #expect(FixedLoad.hundredths(Self.one / 2) == (0, 50))
        #expect(FixedLoad.hundredths(Self.one * 7 + Self.one - 1) == (8, 0))  // 7.9995 shows as 8.00
    }
}
