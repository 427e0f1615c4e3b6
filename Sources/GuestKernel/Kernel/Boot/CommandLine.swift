/// The kernel command line, split as Linux does for init (init/main.c): `init=`
/// names the program, `init.argv0=` its argv[0] when that is not the path
/// (this kernel's: `vmm run` passes PROGRAM as the user typed it, which a
/// multi-call binary reads; dotted words never reach init's environment, as
/// in Linux), `quiet` quiets the kernel, other `key=value` words go to
/// init's environment, the rest (and everything after `--`) to its argv.
/// `console.input=tty|pipe` says what the VMM's stdin is (FS/TTYInput.swift).
/// `transparent_hugepage=always|madvise|never` is Linux's THP switch
/// (TransparentHugePages.swift); `debug` prints boot counters; `bootmarks` issues VMM marks 0x101..0x104 at
/// boot stages (entry, memory ready, kernel tables ready, init loaded); `test_kernel_ud2!` executes ud2 in ring 0 after
/// boot (tests the kernel-fault report).
///
/// A run list (this kernel's own, until fork/execve exist): after `--`, an
/// unquoted standalone `;` ends one program's argv and the next word is the
/// path of the next program: `init=/a -- x ; /b y z` runs /a [x], then /b
/// [y z], each in a new process with the same environment. A quoted `";"`,
/// or a `;` inside a word (`x;`), stays an argument; empty programs (`; ;`,
/// a trailing `;`) are skipped. Host-tested through Tests/VMMTests/KernelShared.
struct BootCommandLine {
    static let maxPrograms = 64
    var initPath: UnsafePointer<UInt8> = StaticString("/init").utf8Start
    var initPathLength = 5
    /// Program 0's argv[0], when `init.argv0=` gives one.
    var argv0: UnsafePointer<UInt8>? = nil
    var argv0Length = 0
    /// The argv words (after argv[0]) of every program, in order: program k's
    /// are args[argStarts[k] ..< argStarts[k + 1]]. Sized for every word the
    /// line can hold (a word and its space take 2 bytes or more), so none is
    /// dropped; the bytes' limit is the boot info's (2047) and the initial
    /// stack's (InitialStack: "arguments and environment too large").
    var args: StringList
    var env: StringList
    /// Paths of programs 1 ..< programCount (program 0 is initPath).
    var nextPaths = StringList(capacity: BootCommandLine.maxPrograms - 1)
    var argStarts: UnsafeMutablePointer<Int> = .allocate(capacity: BootCommandLine.maxPrograms + 1)
    var programCount = 1
    /// Programs beyond maxPrograms, not run (the kernel says so at boot).
    var droppedPrograms = 0
    var quiet = false
    var debug = false
    var faultTest = false
    var hugePages: TransparentHugePages.Policy?
    /// `console.input=tty|pipe`: what the VMM's stdin is (TTYInput).
    var consoleInput = ConsoleInputMode.none

    /// Words are split at spaces; double quotes group spaces into a word and
    /// are removed (lib/cmdline.c next_arg), so `"b c"` is one argument and
    /// `""` an empty one. The words are copied into a buffer of their own.
    init(_ text: UnsafePointer<UInt8>, _ length: Int) {
        args = StringList(capacity: length / 2 + 1)
        env = StringList(capacity: length / 2 + 1)
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: length + 1)
        var o = 0
        var i = 0
        var afterDashes = false
        var pathNext = false        // after a separator: the next word is a path
        var dropping = false        // the words of a program beyond maxPrograms
        argStarts[0] = 0
        while i < length {
            while i < length && text[i] == 0x20 { i += 1 }
            if i >= length { break }
            let start = o
            var quoted = false, inQuote = false
            while i < length && (inQuote || text[i] != 0x20) {
                if text[i] == 0x22 { inQuote.toggle(); quoted = true } else { out[o] = text[i]; o += 1 }
                i += 1
            }
            let n = o - start
            if n == 0 && !quoted { continue }
            let w = UnsafePointer(out + start)
            if afterDashes {
                if !quoted && n == 1 && w[0] == 0x3b { pathNext = true; continue }     // ";"
                if pathNext {
                    pathNext = false
                    dropping = programCount >= BootCommandLine.maxPrograms
                    if dropping { droppedPrograms += 1; continue }
                    argStarts[programCount] = args.count
                    _ = nextPaths.append(w, n)
                    programCount += 1
                    continue
                }
                if !dropping { _ = args.append(w, n) }
                continue
            }
            if !quoted && n == 2 && w[0] == 0x2d && w[1] == 0x2d { afterDashes = true; continue }
            if n > 5 && bytesEqual(w, "init=", 5) { initPath = w + 5; initPathLength = n - 5; continue }
            if n >= 11 && bytesEqual(w, "init.argv0=", 11) { argv0 = w + 11; argv0Length = n - 11; continue }
            if n > 20 && bytesEqual(w, "transparent_hugepage=", 21),
               let policy = TransparentHugePages.policy(named: w + 21, n - 21) { hugePages = policy; continue }
            if n == 17 && bytesEqual(w, "console.input=tty", 17) { consoleInput = .tty; continue }
            if n == 18 && bytesEqual(w, "console.input=pipe", 18) { consoleInput = .pipe; continue }
            if n == 5 && bytesEqual(w, "quiet", 5) { quiet = true; continue }
            if n == 5 && bytesEqual(w, "debug", 5) { debug = true; continue }
            if n == 9 && bytesEqual(w, "bootmarks", 9) { continue }
            if n == 16 && bytesEqual(w, "test_kernel_ud2!", 16) { faultTest = true; continue }
            var hasEquals = false
            for j in 0..<n where w[j] == 0x3d { hasEquals = true; break }
            if hasEquals { _ = env.append(w, n) } else { _ = args.append(w, n) }
        }
        argStarts[programCount] = args.count
    }

    /// The path of program `k` (0 ..< programCount).
    func path(_ k: Int) -> (UnsafePointer<UInt8>, Int) {
        k == 0 ? (initPath, initPathLength) : (nextPaths.ptrs[k - 1], nextPaths.lens[k - 1])
    }

    /// Program `k`'s argv[0]: its path unless `init.argv0=` names program 0's.
    func argv0(_ k: Int) -> (UnsafePointer<UInt8>, Int) {
        if k == 0, let a = argv0 { return (a, argv0Length) }
        return path(k)
    }

    /// The indices in `args` of program `k`'s argv words after argv[0].
    func arguments(_ k: Int) -> Range<Int> { argStarts[k] ..< argStarts[k + 1] }
}

/// What the VMM's stdin is (`console.input=`, FS/TTYInput.swift).
enum ConsoleInputMode { case none, pipe, tty }
