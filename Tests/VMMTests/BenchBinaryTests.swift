import Foundation
import GuestImages
import Testing
@testable import VMM

/// The benchmark binary `swift build` built, checked natively: each benchmark
/// does what the suite's table says (guest-images/bench/README.md, "--check").
@Suite struct BenchBinaryTests {
    static let bench = URL(fileURLWithPath: GuestImages.benchPath)

    @Test func listsTheFiftyFourBenchmarksInOrder() throws {
        let r = try Run.program(Self.bench, ["--list"])
        #expect(r.status == 0)
        let names = r.stdout.split(separator: "\n").map(String.init)
        #expect(names.count == 54)
        #expect(names.first == "getpid" && names[43] == "tar_extract")
        #expect(names[15] == "brk")     // the first 44 keep their indices (mark ids of older baselines)
        #expect(Array(names[44...]) == ["statx", "getsid", "getrlimit", "prlimit64", "setrlimit", "fcntl_lock", "flock",
                                        "setsockopt", "getsockopt", "exec_true_posix_spawn"])
    }

    @Test func everyBenchmarkPassesItsCheckOnTheHost() throws {
        let r = try Run.program(Self.bench, ["--check"], limit: 300)
        let output = BenchOutput(text: r.stdout)
        #expect(output.began && output.ended)
        #expect(output.checks.count + output.skipped.count == 54)
        for (name, failure) in output.checks { #expect(failure == nil, "\(name): \(failure ?? "")") }
        // Skips happen only for a missing tool on this host, and say which.
        for (name, why) in output.skipped { #expect(why.contains("not found"), "\(name): \(why)") }
        #expect(r.status == 0)
    }

    @Test func resultsAreWhatTheParserReads() throws {
        let r = try Run.program(Self.bench, ["getpid", "uname", "--iters", "100", "--repeat", "2", "--warmup", "1"])
        #expect(r.status == 0)
        let o = BenchOutput(text: r.stdout)
        #expect(o.order == ["getpid", "uname"])
        for name in o.order {
            let reps = try #require(o.repetitions[name])
            #expect(reps.map(\.rep) == [0, 1])
            #expect(reps.allSatisfy { $0.iterations == 100 && $0.nanos > 0 && $0.nanosPerOp > 0 })
        }
    }

    @Test func unknownBenchmarkIsAnError() throws {
        let r = try Run.program(Self.bench, ["no_such_benchmark"])
        #expect(r.status == 2)
    }
}
