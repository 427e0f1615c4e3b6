import Testing

/// The guest kernel's command-line parser (Sources/GuestKernel/Kernel/Boot/
/// CommandLine.swift, compiled here through KernelShared/): init's argv and
/// environment, and the run list (`;` after `--`).
@Suite struct KernelCommandLineParsingTests {
    struct Program: Equatable, CustomStringConvertible {
        var path: String
        var args: [String]
        var description: String { ([path] + args).joined(separator: " ") }
    }

    static func parse(_ text: String) -> (programs: [Program], env: [String], dropped: Int, c: BootCommandLine) {
        let bytes = Array(text.utf8)
        let c = bytes.withUnsafeBufferPointer { BootCommandLine($0.baseAddress!, $0.count) }
        func string(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
            String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        }
        let programs = (0..<c.programCount).map { k in
            let (p, n) = c.path(k)
            return Program(path: string(p, n), args: c.arguments(k).map { string(c.args.ptrs[$0], c.args.lens[$0]) })
        }
        return (programs, (0..<c.env.count).map { string(c.env.ptrs[$0], c.env.lens[$0]) }, c.droppedPrograms, c)
    }

    @Test func oneProgramAsLinuxSplitsIt() {
        let r = Self.parse(#"quiet a K=v init=/bin/x "b c" -- -- d=e ;x "" "#)
        #expect(r.programs == [Program(path: "/bin/x", args: ["a", "b c", "--", "d=e", ";x", ""])])
        #expect(r.env == ["K=v"])
        #expect(r.c.quiet && !r.c.debug)
        #expect(Self.parse("").programs == [Program(path: "/init", args: [])])
    }

    /// `init.argv0=` is program 0's argv[0] (vmm run's PROGRAM as given), not
    /// an environment word; the path stays the file to run; later programs
    /// keep their paths as argv[0].
    @Test func argvZeroOfInit() {
        let r = Self.parse(#"init=/init "init.argv0=/bin/my busybox" X=1 -- sh ; /b y"#)
        func string(_ t: (UnsafePointer<UInt8>, Int)) -> String {
            String(decoding: UnsafeBufferPointer(start: t.0, count: t.1), as: UTF8.self)
        }
        #expect(r.programs == [Program(path: "/init", args: ["sh"]), Program(path: "/b", args: ["y"])])
        #expect(r.env == ["X=1"])
        #expect(string(r.c.argv0(0)) == "/bin/my busybox")
        #expect(string(r.c.argv0(1)) == "/b")
        #expect(string(Self.parse("init=/x").c.argv0(0)) == "/x")
        #expect(string(Self.parse("init.argv0= init=/x").c.argv0(0)) == "")
    }

    /// Every word a full 2047-byte line can hold is kept (it was cut at 256
    /// argv words and 256 environment words, silently).
    @Test func noWordOfAFullLineIsDropped() {
        let words = Array(repeating: "x", count: 1023)
        let r = Self.parse((["--"] + words).joined(separator: " ").prefix(2047).description)
        #expect(r.programs.first?.args.count == 1022, "\(r.programs.first?.args.count ?? -1)")
        let env = (0..<500).map { "K\($0 % 10)=" }.joined(separator: " ")
        #expect(Self.parse(env).env.count == 500)
        let empties = Array(repeating: #""""#, count: 682).joined(separator: " ")
        #expect(Self.parse(empties).programs.first?.args.count == 682)
    }

    @Test func unquotedSemicolonAfterDashesStartsTheNextProgram() {
        let r = Self.parse(#"debug init=/faults X=1 -- segv ; /faults ud2 ";" ; "/my prog" a;b ;"#)
        #expect(r.programs == [Program(path: "/faults", args: ["segv"]),
                               Program(path: "/faults", args: ["ud2", ";"]),
                               Program(path: "/my prog", args: ["a;b"])])
        #expect(r.env == ["X=1"])                            // one environment for all
        #expect(r.c.debug)
    }

    @Test func semicolonBeforeDashesIsAnArgumentAndEmptyProgramsAreSkipped() {
        #expect(Self.parse("init=/a ; b").programs == [Program(path: "/a", args: [";", "b"])])
        #expect(Self.parse("init=/a -- ; ; /b ; ;").programs
                == [Program(path: "/a", args: []), Program(path: "/b", args: [])])
    }

    @Test func programsBeyondTheLimitAreCountedNotRun() {
        let n = BootCommandLine.maxPrograms + 3
        let r = Self.parse("init=/p0 -- " + (1..<n).map { "; /p\($0) x\($0)" }.joined(separator: " "))
        #expect(r.programs.count == BootCommandLine.maxPrograms)
        #expect(r.programs.last == Program(path: "/p\(BootCommandLine.maxPrograms - 1)",
                                           args: ["x\(BootCommandLine.maxPrograms - 1)"]))
        #expect(r.dropped == 3)
    }

    /// Linux's `transparent_hugepage=` is the kernel's (TransparentHugePages);
    /// an unknown value is left to init's environment, as Linux leaves
    /// parameters it does not know.
    @Test func transparentHugePageParameter() {
        #expect(Self.parse("transparent_hugepage=always").c.hugePages == .always)
        #expect(Self.parse("x transparent_hugepage=never y").c.hugePages == .never)
        #expect(Self.parse("transparent_hugepage=madvise").env.isEmpty)
        let odd = Self.parse("transparent_hugepage=sometimes")
        #expect(odd.c.hugePages == nil)
        #expect(odd.env == ["transparent_hugepage=sometimes"])
        #expect(Self.parse("").c.hugePages == nil)
    }
}
