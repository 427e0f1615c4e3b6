import Foundation
import GuestKernel
import Testing
@testable import VMM

/// Static C programs (guest-images/kernel-tests) built with musl-gcc and gcc
/// (glibc), booted as /init in the Swift guest kernel that `swift build` built.
/// Without musl-gcc the suites run with glibc-static programs; only the musl
/// variants skip (and say so).
enum KernelTestPrograms {
    /// musl-gcc on PATH, nil when absent (hide it from PATH to test without it).
    static let muslGCC: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { $0 + "/musl-gcc" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static let glibcStatic = FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/libc.a")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/gcc")
    /// The compiler for tests that are not about one libc: musl-gcc, else gcc -static.
    static let defaultCompiler: String? = muslGCC ?? (glibcStatic ? "/usr/bin/gcc" : nil)
    /// The libcs the differential tests compare with, those installed.
    static let libcs: [String] = (muslGCC != nil ? ["musl"] : []) + (glibcStatic ? ["glibc"] : [])
    /// dietlibc's `diet` (Debian dietlibc-dev) on PATH: the third libc, for the programs it can build
    /// (DietlibcDifferentialTests); `diet -Os gcc -static ...`, as its documentation builds programs.
    static let diet: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { $0 + "/diet" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
    static func compiler(_ libc: String) -> String? {
        switch libc {
        case "musl": return muslGCC
        case "dietlibc": return diet
        default: return glibcStatic ? "/usr/bin/gcc" : nil
        }
    }
    /// What goes before the compiler's own arguments: `diet` is a wrapper that runs gcc.
    static func wrapperArguments(_ compiler: String) -> [String] {
        (compiler as NSString).lastPathComponent == "diet" ? ["-Os", "gcc"] : []
    }
    static let skipReason = "neither musl-gcc nor gcc with glibc's libc.a found (apt-get install musl-tools or libc6-dev): guest kernel tests skipped"
    static let muslSkipReason = "musl-gcc not found (apt-get install musl-tools): the musl variants are skipped; the glibc-static ones run"
    static var enabled: Bool { TestEnvironment.runKVMTests && defaultCompiler != nil }

    private static let lock = NSLock()
    private static var built: [String: URL] = [:]

    /// Program `name` compiled by `compiler`, with an initrd holding it as
    /// /init plus `files` (name, contents) in the root.
    static func initrd(_ name: String, compiler: String, pageAligned: Bool = false, pie: Bool = false,
                       files: [(String, String)] = []) throws -> URL {
        let key = "\(name)-\((compiler as NSString).lastPathComponent)\(pageAligned ? "-aligned" : "")\(pie ? "-pie" : "")"
        lock.lock(); defer { lock.unlock() }
        if let url = built[key] { return url }
        let exe = try compile(name, compiler: compiler, pie: pie, to: TestGuests.directory.appendingPathComponent(key))
        var cpio = CPIOArchive()
        try cpio.add("dev", .directory, permissions: 0o755)
        for (fileName, text) in files {
            if fileName.hasSuffix("/") { try cpio.add(String(fileName.dropLast()), .directory, permissions: 0o755) }
            else if text.hasPrefix("->") { try cpio.add(fileName, .symlink(target: String(text.dropFirst(2))), permissions: 0o777) }
            else { try cpio.add(fileName, .file(Array(text.utf8)), permissions: 0o644) }
        }
        try cpio.add("init", .file([UInt8](try Data(contentsOf: exe))), permissions: 0o755)
        let url = TestGuests.directory.appendingPathComponent("\(key).cpio")
        try Data(cpio.encode(pageAlignFiles: pageAligned)).write(to: url)
        built[key] = url
        return url
    }

    /// Programs `names` compiled by musl-gcc, each at /NAME in one initrd (for
    /// the kernel's run lists: `init=/a -- x ; /b y`), plus an empty /dev.
    static func initrd(programs names: [String]) throws -> URL {
        let key = "list-" + names.joined(separator: "-")
        lock.lock(); defer { lock.unlock() }
        if let url = built[key] { return url }
        var cpio = CPIOArchive()
        try cpio.add("dev", .directory, permissions: 0o755)
        for name in names {
            let exe = try compile(name, compiler: defaultCompiler!, pie: false,
                                  to: TestGuests.directory.appendingPathComponent("\(key)-\(name)"))
            try cpio.add(name, .file([UInt8](try Data(contentsOf: exe))), permissions: 0o755)
        }
        let url = TestGuests.directory.appendingPathComponent("\(key).cpio")
        try Data(cpio.encode(pageAlignFiles: false)).write(to: url)
        built[key] = url
        return url
    }

    private static func compile(_ name: String, compiler: String, pie: Bool, to exe: URL) throws -> URL {
        let source = TestEnvironment.repositoryRoot.appendingPathComponent("guest-images/kernel-tests/\(name).c")
        let r = try Run.program(URL(fileURLWithPath: compiler),
                                (pie ? ["-static-pie", "-fPIE"] : ["-static"]) + ["-O2", "-o", exe.path, source.path])
        guard r.status == 0 else { throw GuestBuildError(name: name, output: r.stderr) }
        return exe
    }
}

@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct GuestKernelTests {
    func boot(_ program: String, compiler: String? = nil, pageAligned: Bool = false, pie: Bool = false,
              cmdline: String = "", files: [(String, String)] = [], _ extra: [String] = [],
              limit: Double = 60) throws -> ProcessResult {
        let initrd = try KernelTestPrograms.initrd(program, compiler: compiler ?? KernelTestPrograms.defaultCompiler!,
                                                   pageAligned: pageAligned, pie: pie, files: files)
        return try Run.vmm(["boot", GuestKernel.elfPath, "--memory", "64M", "--timeout", "60",
                            "--initrd", initrd.path, "--cmdline", cmdline] + extra, limit: limit)
    }

    @Test(.enabled(if: KernelTestPrograms.muslGCC != nil, Comment(rawValue: KernelTestPrograms.muslSkipReason)))
    func muslHelloPrintsItsArgumentsAndExitsWithItsStatus() throws {
        let r = try boot("hello", compiler: KernelTestPrograms.muslGCC, cmdline: "one two")
        #expect(r.stdout == "hello from /init, argc=3 [one] [two]\n", "\(r.stderr)")
        #expect(r.status == 7)
    }

    @Test(.enabled(if: KernelTestPrograms.glibcStatic, "glibc's libc.a is not installed"))
    func glibcHelloRuns() throws {
        let r = try boot("hello", compiler: "/usr/bin/gcc", cmdline: "quiet")
        #expect(r.stdout == "hello from /init, argc=1\n", "\(r.stderr)")
        #expect(r.status == 7)
    }

    /// Static PIE (ET_DYN, no interpreter) loads at 0x555555554000 and relocates itself.
    @Test(.enabled(if: KernelTestPrograms.glibcStatic, "glibc's libc.a is not installed"))
    func glibcStaticPIERuns() throws {
        let r = try boot("hello", compiler: "/usr/bin/gcc", pie: true, cmdline: "quiet pie")
        #expect(r.stdout == "hello from /init, argc=2 [pie]\n", "\(r.stderr)")
        #expect(r.status == 7)
    }

    /// Read-only segments of a page-aligned initrd file are mapped, not copied.
    @Test(.enabled(if: KernelTestPrograms.glibcStatic, "glibc's libc.a is not installed"))
    func pageAlignedInitIsMappedInPlace() throws {
        let r = try boot("hello", compiler: "/usr/bin/gcc", pageAligned: true, cmdline: "debug x")
        #expect(r.status == 7, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.hasSuffix("hello from /init, argc=2 [x]\n"))
        let line = try #require(r.stdout.split(separator: "\n").first { $0.contains("init loaded:") })
        let mapped = line.split(separator: " ").firstIndex(of: "init").map { Int(line.split(separator: " ")[$0 + 2]) ?? 0 } ?? 0
        #expect(mapped > 0, "\(line)")
    }

    @Test func kernelFaultIsReportedWithItsOwnStatus() throws {
        let r = try boot("hello", cmdline: "test_kernel_ud2!")
        #expect(r.status == 112)
        for field in ["KERNEL FAULT vector 6", "rip ffffffff8", "cr2", "rsp", "r15", "stack:"] {
            #expect(r.stdout.contains(field), "\(field)")
        }
    }

    @Test(arguments: [("segv", 139), ("kernel-address", 139), ("ud2", 132), ("div0", 136), ("int3", 133)])
    func userFaultKillsWithTheLinuxSignal(mode: String, status: Int32) throws {
        let r = try boot("faults", cmdline: "quiet \(mode)")
        #expect(r.status == status, "\(r.stdout) \(r.stderr)")
        #expect(!r.stdout.contains("KERNEL FAULT"))
    }

    @Test func badPointersAndUnknownCallsReturnErrors() throws {
        let r = try boot("faults", cmdline: "quiet syscalls")
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stdout == """
            write(bad pointer) = -1 errno=14
            write(kernel pointer) = -1 errno=14
            write(fd 7) = -1 errno=9
            syscall(100000) = -1 errno=38
            mmap: 1 1 0
            munmap: 0
            malloc: ok
            mkdir in initrd: -1 errno=30
            unlink initrd file: -1 errno=30
            open initrd for write: -1 errno=30
            create in initrd: -1 errno=30
            create in /tmp: 1
            flags: pid 1 ok 1
            isatty: console 1 /dev/null 0

            """)
    }

    /// Differential: syscalls.c prints one line per call; host and guest agree.
    @Test(arguments: KernelTestPrograms.libcs)
    func syscallResultsMatchTheHost(libc: String) throws {
        let compiler = try #require(KernelTestPrograms.compiler(libc))
        let files = [("data.txt", "hello world, file\n"), ("sub/", ""), ("sub/a.txt", "file a\n"), ("sub/b.txt", "file b\n"),
                     ("link.txt", "->data.txt"), ("sublink", "->sub")]
        let guest = try boot("syscalls", compiler: compiler, cmdline: "quiet", files: files)
        #expect(guest.status == 0, "\(guest.stderr)")
        // The same executable on the host, in a directory holding the same files.
        let exe = TestGuests.directory.appendingPathComponent("syscalls-\((compiler as NSString).lastPathComponent)")
        let dir = TestGuests.directory.appendingPathComponent("host-root-\(libc)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            if name.hasSuffix("/") {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } else if text.hasPrefix("->") {
                try? FileManager.default.removeItem(at: url)
                try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: String(text.dropFirst(2)))
            } else {
                try Data(text.utf8).write(to: dir.appendingPathComponent(name))
            }
        }
        let host = try Run.program(URL(fileURLWithPath: "/bin/sh"), ["-c", "cd \"$1\" && exec \"$2\"", "sh", dir.path, exe.path])
        #expect(host.status == 0)
        let g = guest.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let h = host.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(g.count == h.count, "guest \(g.count) lines, host \(h.count)")
        for (gl, hl) in zip(g, h) { #expect(gl == hl) }
    }

    /// Random system calls with random arguments (fuzz.c, seeded) never stop
    /// the kernel, and the fuzzer, which avoids the calls that would end it,
    /// survives them all. A failure names the seed: `fuzz run SEED 20000 FROM
    /// TO` replays it with the calls of a window logged.
    @Test(arguments: [1, 2, 3])
    func randomSystemCallsNeverCrashTheKernel(seed: Int) throws {
        let r = try boot("fuzz", cmdline: "quiet -- run \(seed) 20000", ["--memory", "256M", "--timeout", "240"],
                         limit: 300)
        #expect(r.status == 0, "seed \(seed): status \(r.status): \(r.stdout.suffix(300)) \(r.stderr)")
        #expect(r.stdout.contains("fuzz: survived 20000 calls (seed \(seed))"), "\(r.stdout.suffix(300))")
        #expect(!r.stdout.contains("KERNEL FAULT"))
    }

    /// Random mmap/munmap/mprotect/madvise/mincore and kernel copies in one
    /// area, with each THP policy (2 MiB pages mapped, split and freed at
    /// random), after a run of the same program doing nothing: the frames
    /// free after each teardown must be equal (nothing leaked, 4 KiB or 2 MiB;
    /// the last program of a list has no teardown, hence the third run).
    @Test(arguments: ["madvise", "always", "never"])
    func randomMemoryCallsNeverCrashTheKernelNorLeak(policy: String) throws {
        let r = try boot("fuzz", cmdline: "debug transparent_hugepage=\(policy) -- 0 ; /init memory 3000 ; /init 0",
                         ["--memory", "256M", "--timeout", "240"], limit: 300)   // glibc's fuzz takes > 60 s here
        #expect(r.status == 0, "status \(r.status): \(r.stderr)")
        #expect(r.stdout.contains("memory fuzz: "))
        #expect(!r.stdout.contains("KERNEL FAULT"))
        let free = Self.framesFree(r.stdout)
        #expect(free.count == 2, "\(r.stdout)")
        #expect(free.first == free.last, "frames free after the idle run and after the fuzz differ: \(free)")
        if policy == "always" {   // the fuzz did map 2 MiB pages (counted in the teardown line after it)
            let line = r.stdout.split(separator: "\n").last { $0.contains("2 MiB pages faulted") } ?? ""
            let count = line.split(separator: ",").last?.split(separator: " ").first.flatMap { Int($0) } ?? 0
            #expect(count > 0, "\(line)")
        }
    }

    /// Call i of a seed is the same in every run (a pure function of seed and
    /// index): what makes a failure reproducible.
    @Test func fuzzCallsAreDerivedFromTheSeedAndIndex() throws {
        let a = try boot("fuzz", cmdline: "quiet -- print 7 100 104")
        let b = try boot("fuzz", cmdline: "quiet -- print 7 102 104")
        let lines = a.stdout.split(separator: "\n")
        #expect(lines.count == 4 && lines.first?.hasPrefix("call 100: ") == true, "\(a.stdout)")
        #expect(Array(lines.suffix(2)) == b.stdout.split(separator: "\n"), "\(a.stdout) / \(b.stdout)")
    }

    /// Out of memory, the program dies by SIGKILL, as by Linux's OOM killer
    /// (it was SIGSEGV), and the kernel goes on.
    @Test func outOfMemoryKillsWithSIGKILL() throws {
        let r = try boot("faults", cmdline: "quiet oom", ["--timeout", "120"], limit: 180)
        #expect(r.status == 137, "\(r.stdout) \(r.stderr)")
    }

    /// A full tmpfs is ENOSPC (at most half of RAM, as Linux's size=50%) and
    /// the program keeps memory for itself (it died of SIGSEGV in its own data).
    @Test func fullTmpfsIsENOSPCAndTheProgramLivesOn() throws {
        let r = try boot("faults", cmdline: "quiet tmpfs-full", ["--timeout", "240"], limit: 300)
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("tmpfs-full: ENOSPC after "), "\(r.stdout)")
        #expect(r.stdout.contains("tmpfs-full: 8 MiB of its own touched\n"), "\(r.stdout)")
        #expect(r.stdout.contains("tmpfs-full: write after unlink: 1048576\n"), "\(r.stdout)")
    }

    /// An initramfs of thousands of files: the cpio index was one heap block,
    /// so from ~1,630 entries to 8,192 (then it scanned) the kernel panicked
    /// with "kernel heap exhausted" (status 115).
    /// (100,000 entries boot too, slower: see the kernel README's Limits.)
    @Test(arguments: [5000])
    func initramfsOfManyEntries(files: Int) throws {
        let root = TestGuests.directory.appendingPathComponent("bigdir-root-\(files)")
        try? FileManager.default.removeItem(at: root)
        let many = root.appendingPathComponent("many")
        try FileManager.default.createDirectory(at: many, withIntermediateDirectories: true)
        for i in 0..<files { try Data("file \(i)\n".utf8).write(to: many.appendingPathComponent("f\(i)")) }
        let source = TestEnvironment.repositoryRoot.appendingPathComponent("guest-images/kernel-tests/bigdir.c")
        let built = try Run.program(URL(fileURLWithPath: KernelTestPrograms.defaultCompiler!),
                                    ["-static", "-O2", "-o", root.appendingPathComponent("init").path, source.path])
        #expect(built.status == 0, "\(built.stderr)")
        let cpio = TestGuests.directory.appendingPathComponent("bigdir-\(files).cpio")
        let packed = try Run.program(URL(fileURLWithPath: "/bin/sh"),
                                     ["-c", "cd \"$1\" && find . | cpio -o -H newc > \"$2\"", "sh", root.path, cpio.path])
        #expect(packed.status == 0, "\(packed.stderr)")
        let r = try Run.vmm(["boot", GuestKernel.elfPath, "--memory", "128M", "--timeout", "300", "--initrd", cpio.path,
                             "--cmdline", "quiet -- /many /many/f\(files - 1)"], limit: 360)
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout == "entries: \(files + 2) (last call 0)\n/many/f\(files - 1): file \(files - 1)\n", "\(r.stdout)")
    }

    @Test func missingInitIsReported() throws {
        let r = try boot("hello", cmdline: "init=/nonexistent")
        #expect(r.status == 114)
        #expect(r.stdout.contains("cannot start init /nonexistent: not found in the initrd"), "\(r.stdout)")
    }

    /// A run list on the kernel command line (`;` after `--`): each program in
    /// a new process after the previous one died; the VM exits with the last
    /// one's status. `debug` echoes the kernel's log lines to the console.
    func bootList(_ cmdline: String) throws -> ProcessResult {
        let initrd = try KernelTestPrograms.initrd(programs: ["faults", "hello"])
        return try Run.vmm(["boot", GuestKernel.elfPath, "--memory", "64M", "--timeout", "60",
                            "--initrd", initrd.path, "--cmdline", cmdline])
    }

    @Test func userFaultKillsOnlyThatProcessAndTheNextProgramRuns() throws {
        let r = try bootList(#"debug init=/faults -- segv ; /faults ud2 ; /faults div0 ; /hello x ";" y;"#)
        #expect(r.status == 7, "\(r.stdout) \(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let expected = [
            "kernel: pid 1 killed by signal 11 ", "kernel: pid 1 (/faults) exited with status 139;",
            "kernel: pid 2 killed by signal 4 ", "kernel: pid 2 (/faults) exited with status 132;",
            "kernel: pid 3 killed by signal 8 ", "kernel: pid 3 (/faults) exited with status 136;",
            "hello from /hello, argc=4 [x] [;] [y;]", "kernel: pid 4 (/hello) exited with status 7",
        ]
        let got = lines.filter { !$0.hasPrefix("[kernel] init loaded") }
        #expect(got.count == expected.count, "\(r.stdout)")
        for (line, prefix) in zip(got, expected) { #expect(line.hasPrefix(prefix), "\(line)") }
        #expect(!r.stdout.contains("KERNEL FAULT"))
    }

    /// Teardown frees every frame a process had (pages, page tables, pipe
    /// buffers, unlinked tmpfs files): the free count after each one is the
    /// same, whether the program exited or was killed holding everything.
    @Test func processTeardownLeaksNoFrames() throws {
        let runs = Array(repeating: "/faults hold", count: 4) + Array(repeating: "/faults segv", count: 5)
            + Array(repeating: "/faults syscalls", count: 2) + ["/hello"]
        let r = try bootList("debug init=/faults -- hold ; " + runs.joined(separator: " ; "))
        #expect(r.status == 7, "\(r.stderr)")
        let free = Self.framesFree(r.stdout).compactMap { Int($0) }
        #expect(free.count == runs.count, "\(r.stdout)")      // all but the last (no teardown)
        #expect(Set(free).count == 1, "free frames after each teardown: \(free)")
    }

    /// A program that cannot start counts as 127 and the list goes on; the
    /// list's status is the last program's, also when that one is missing.
    @Test func programThatCannotStartIsStatus127AndTheListGoesOn() throws {
        let r = try bootList("debug init=/faults -- segv ; /nope ; /dev ; /hello")
        #expect(r.status == 7, "\(r.stderr)")
        #expect(r.stdout.contains("kernel: cannot start /nope: not found in the initrd (status 127)"), "\(r.stdout)")
        #expect(r.stdout.contains("kernel: cannot start /dev: not a regular file (status 127)"))
        #expect(r.stdout.contains("hello from /hello, argc=1\n"))
        let quiet = try bootList("quiet init=/hello -- a ; /nope")
        #expect(quiet.status == 127)
        #expect(quiet.stdout == "hello from /hello, argc=2 [a]\n")         // quiet: no log lines
    }

    /// A new program starts with the x87/SSE state of a reset CPU, whatever
    /// the previous one left (rounding modes, FTZ, registers).
    @Test func nextProgramGetsAFreshFPUState() throws {
        let r = try bootList("quiet init=/faults -- fpu-dirty ; /faults fpu-check")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "fpu: mxcsr 1f80 fcw 37f top 0 xmm15 0\n")
    }

    /// The issue's budget: getpid <= 60 guest-kernel instructions, 0 VM exits.
    @Test func getpidCostsAtMost60KernelInstructionsAndNoExits() throws {
        let json = TestGuests.directory.appendingPathComponent("getpid-\(UUID().uuidString).json")
        let n = 1000
        let r = try boot("getpid_bench", cmdline: "\(n)", ["--json-stats", json.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "getpid x\(n) sum=\(n)\n")
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let marks = try #require(doc["marks"] as? [[String: Any]])
        #expect(marks.compactMap { $0["id"] as? Int } == [1, 2, 3])
        let exits = marks.compactMap { $0["exits"] as? Int }
        #expect(exits.count == 3 && exits[1] - exits[0] == 1)          // only the closing mark
        if doc["kvm_kind"] as? String == "software" {
            let insn = marks.compactMap { ($0["kvm_stats"] as? [String: Int])?["insn_emulation"] }
            try #require(insn.count == 3)
            let perCall = Double((insn[1] - insn[0]) - (insn[2] - insn[1])) / Double(n)
            #expect(perCall <= 60, "getpid: \(perCall) guest-kernel instructions per call")
        }
    }

    /// N of each "pid P (PATH) exited with status S; N frames free, ..." line
    /// (`debug`, every program of a run list but the last).
    static func framesFree(_ console: String) -> [Substring] {
        console.split(separator: "\n").compactMap { line -> Substring? in
            guard line.contains(" exited with status "), let semi = line.range(of: "; "),
                  line[semi.upperBound...].contains(" frames free") else { return nil }
            return line[semi.upperBound...].split(separator: " ").first
        }
    }

    /// The `transparent_hugepage=` kernel parameter (Linux's): `never` gives
    /// 4 KiB pages even where MADV_HUGEPAGE asks, `always` gives 2 MiB pages
    /// where nothing asked; everything else hugepages.c checks still holds.
    @Test(arguments: [("never", "1", "1"), ("always", "512", "512"), ("madvise", "512", "1")])
    func hugePagePolicyFollowsTheKernelParameter(policy: String, advised: String, notAdvised: String) throws {
        let r = try boot("hugepages", cmdline: "transparent_hugepage=\(policy)")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("~ resident_after_one_touch: \(advised)\n"), "\(r.stdout)")
        #expect(r.stdout.contains("resident_not_advised: \(notAdvised)\n"), "\(r.stdout)")
        #expect(r.stdout.contains("resident_nohugepage: 1\n"))
        for check in ["pattern_8m", "pattern_beside_hole", "pattern_after_mprotect", "dontneed_part_zero", "dontneed_whole_zero", "rounds"] {
            #expect(r.stdout.contains("\(check): 1\n"), "\(check)")
        }
        #expect(r.stdout.hasSuffix("done\n"))
    }

    /// The guest's wall clock starts from the host's CLOCK_REALTIME that the
    /// VMM writes into the boot info (ABI 2): within seconds of the host's.
    @Test func wallClockFollowsTheHost() throws {
        let before = Date().timeIntervalSince1970
        let r = try boot("clock")
        let after = Date().timeIntervalSince1970
        #expect(r.status == 0, "\(r.stderr)")
        var values: [String: [Double]] = [:]
        for line in r.stdout.split(separator: "\n") {
            let words = line.split(separator: " ")
            if let key = words.first { values[String(key)] = words.dropFirst().compactMap { Double($0) } }
        }
        for key in ["realtime", "gettimeofday", "time"] {
            let v = try #require(values[key]?.first, "\(key) missing in \(r.stdout)")
            #expect(v >= before.rounded(.down) - 1 && v <= after + 1, "\(key) \(v) not in [\(before), \(after)]")
        }
        #expect(values["time"]?.count == 2 && values["time"]?[0] == values["time"]?[1])   // also stored at tloc
        #expect((values["monotonic"]?.first ?? 1e9) < 120)                                 // since boot
    }
}
