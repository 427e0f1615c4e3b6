/// The kernel command line, split as Linux does for init (init/main.c): `init=`
/// names the program, `quiet` quiets the kernel, other `key=value` words go to
/// init's environment, the rest (and everything after `--`) to its argv.
/// `transparent_hugepage=always|madvise|never` is Linux's THP switch
/// (TransparentHugePages.swift); `debug` prints boot counters; `bootmarks` issues VMM marks 0x101..0x104 at
/// boot stages (entry, memory ready, kernel tables ready, init loaded); `test_kernel_ud2!` executes ud2 in ring 0 after
/// boot (tests the kernel-fault report).
struct CommandLine {
    var initPath: UnsafePointer<UInt8> = StaticString("/init").utf8Start
    var initPathLength = 5
    var args = StringList(capacity: 256)
    var env = StringList(capacity: 256)
    var quiet = false
    var debug = false
    var faultTest = false
    var hugePages: TransparentHugePages.Policy?

    /// Words are split at spaces; double quotes group spaces into a word and
    /// are removed (lib/cmdline.c next_arg), so `"b c"` is one argument and
    /// `""` an empty one. The words are copied into a buffer of their own.
    init(_ text: UnsafePointer<UInt8>, _ length: Int) {
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: length + 1)
        var o = 0
        var i = 0
        var afterDashes = false
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
            if afterDashes { _ = args.append(w, n); continue }
            if !quoted && n == 2 && w[0] == 0x2d && w[1] == 0x2d { afterDashes = true; continue }
            if n > 5 && bytesEqual(w, "init=", 5) { initPath = w + 5; initPathLength = n - 5; continue }
            if n > 20 && bytesEqual(w, "transparent_hugepage=", 21),
               let policy = TransparentHugePages.policy(named: w + 21, n - 21) { hugePages = policy; continue }
            if n == 5 && bytesEqual(w, "quiet", 5) { quiet = true; continue }
            if n == 5 && bytesEqual(w, "debug", 5) { debug = true; continue }
            if n == 9 && bytesEqual(w, "bootmarks", 9) { continue }
            if n == 16 && bytesEqual(w, "test_kernel_ud2!", 16) { faultTest = true; continue }
            var hasEquals = false
            for j in 0..<n where w[j] == 0x3d { hasEquals = true; break }
            if hasEquals { _ = env.append(w, n) } else { _ = args.append(w, n) }
        }
    }
}
