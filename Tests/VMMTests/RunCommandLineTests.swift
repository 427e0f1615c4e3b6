import Foundation
import Testing
@testable import VMM

/// `vmm run`'s long lists bypass ArgumentParser, whose parsing is quadratic
/// in the number of words (6,000 `--add` options took 55 s).
@Suite struct RunCommandLineTests {
    @Test func splitsAdditionsAndProgramArguments() {
        let split = RunCommandLine.split(["--prealloc", "run", "--add", "a:/a", "--memory", "-2M", "--add=b:/b",
                                          "--exit-stats", "prog", "--add", "x", "--", "y"])
        #expect(split == RunCommandLine.Split(words: ["--prealloc", "run", "--memory", "-2M", "--exit-stats", "prog"],
                                              additions: ["a:/a", "b:/b"], programArguments: ["--add", "x", "--", "y"]))
    }

    @Test func leavesOtherCommandsAndIncompleteLinesAlone() {
        #expect(RunCommandLine.split(["boot", "k", "--add", "x"]) == RunCommandLine.Split(words: ["boot", "k", "--add", "x"]))
        #expect(RunCommandLine.split(["run", "--memory", "64M"]) == RunCommandLine.Split(words: ["run", "--memory", "64M"]))
        #expect(RunCommandLine.split(["run", "--", "-prog", "a"])
                == RunCommandLine.Split(words: ["run", "--", "-prog"], programArguments: ["a"]))
    }

    /// The split must know every option of `vmm run` that takes a value, or
    /// it would take that value for PROGRAM.
    @Test func knowsEveryValueOptionOfRun() throws {
        let help = RunCommand.helpMessage(columns: 1000)
        let regex = try Regex(#"(--[a-z0-9-]+) <"#)
        let options = Set(help.matches(of: regex).map { String($0.output[1].substring!) })
        #expect(options == RunCommandLine.valueOptions)
    }

    @Test func sixThousandAdditionsParseInLinearTime() throws {
        let added = try TestGuests.file("added", Array("x".utf8))
        let adds = (0..<6000).flatMap { ["--add", "\(added.path):/f\($0)"] }
        let r = try Run.vmm(["run", "--memory", "64M"] + adds + ["/nonexistent/program"], limit: 20)
        #expect(r.status == 66, "\(r.stderr)")
        #expect(r.stderrLines == ["vmm: cannot open /nonexistent/program: No such file or directory"])
    }
}
