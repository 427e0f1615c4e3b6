/// `vmm run`'s `--add` values and PROGRAM's arguments, taken out of the
/// command line before ArgumentParser parses it. ArgumentParser's parsing is
/// quadratic in the number of words (it scans the remaining words for each
/// one): 6,000 `--add` options took 55 s, and a program's 4,000 arguments
/// 15 s. What is left for it is `run [OPTIONS] PROGRAM`; this split is linear.
enum RunCommandLine {
    /// This process's split (set once, by VMMCommand.main).
    nonisolated(unsafe) static var current = Split(words: [])

    /// `vmm run`'s options that take a value (RunCommand and MachineOptions;
    /// a test checks this list against the help text).
    static let valueOptions: Set<String> = ["--add", "--kernel", "--memory", "--timeout", "--json-stats", "--warm",
                                                 "--argv0", "--rootfs", "--busybox", "--profile"]

    struct Split: Equatable {
        /// What ArgumentParser parses.
        var words: [String]
        var additions: [String] = []
        var programArguments: [String]?
    }

    /// Unchanged unless the subcommand is `run` with a PROGRAM; then the
    /// words without `--add` options and PROGRAM's arguments.
    static func split(_ words: [String]) -> Split {
        var i = 0
        while i < words.count, words[i].hasPrefix("-") { i += 1 }   // the root command's flags
        guard i < words.count, words[i] == "run" else { return Split(words: words) }
        var kept = Array(words[...i])
        var additions: [String] = []
        i += 1
        while i < words.count {
            let w = words[i]
            if w == "--add", i + 1 < words.count {
                additions.append(words[i + 1])
                i += 2
            } else if w.hasPrefix("--add=") {
                additions.append(String(w.dropFirst(6)))
                i += 1
            } else if valueOptions.contains(w), i + 1 < words.count {
                kept += [w, words[i + 1]]
                i += 2
            } else if w == "--", i + 1 < words.count {
                kept += [w, words[i + 1]]
                return Split(words: kept, additions: additions, programArguments: Array(words[(i + 2)...]))
            } else if w.hasPrefix("-") {
                kept.append(w)          // a flag, --option=value, or an error ArgumentParser reports
                i += 1
            } else {
                kept.append(w)          // PROGRAM
                return Split(words: kept, additions: additions, programArguments: Array(words[(i + 1)...]))
            }
        }
        return Split(words: words)      // no PROGRAM: ArgumentParser says what is missing
    }
}
