import Testing

/// The guest kernel's initial user stack (Sources/GuestKernel/Kernel/Process/
/// StackLayout.swift, compiled here through KernelShared/), built into a host
/// buffer standing for the top of the user stack and read back word by word.
@Suite struct KernelStackLayoutTests {
    static let top: UInt64 = 0x7fff_ffff_f000          // Process.stackTop
    static let maxBytes = 32 * 1024                     // InitialStack.maxBytes

    /// The stack as the program sees it: readers by user address.
    struct Stack {
        var bytes: [UInt8]
        var sp: UInt64
        func index(_ address: UInt64) -> Int? {
            guard address >= sp, address < top else { return nil }
            return bytes.count - Int(top - address)
        }
        func word(_ address: UInt64) -> UInt64? {
            guard let i = index(address), address + 8 <= top else { return nil }
            return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * $1) }
        }
        func string(_ address: UInt64) -> String? {
            guard let i = index(address), let nul = bytes[i...].firstIndex(of: 0) else { return nil }
            return String(decoding: bytes[i..<nul], as: UTF8.self)
        }
        var top: UInt64 { KernelStackLayoutTests.top }
    }

    static func build(path: String, args: [String], env: [String], image: LoadedImage = LoadedImage(),
                      random: (UInt64, UInt64) = (0x0102_0304_0506_0708, 0x1112_1314_1516_1718),
                      hwcap: UInt64 = 0x178b_fbff, vdso: UInt64 = 0, maxBytes: Int = maxBytes) -> Stack? {
        var owned: [UnsafeMutablePointer<UInt8>] = []
        func copy(_ s: String) -> (UnsafePointer<UInt8>, Int) {
            let u = Array(s.utf8)
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(u.count, 1))
            p.initialize(from: u, count: u.count)
            owned.append(p)
            return (UnsafePointer(p), u.count)
        }
        var argList = StringList(capacity: args.count + 1), envList = StringList(capacity: env.count + 1)
        defer { argList.deallocate(); envList.deallocate(); owned.forEach { $0.deallocate() } }
        for a in args { let (p, n) = copy(a); let ok = argList.append(p, n); #expect(ok) }
        for e in env { let (p, n) = copy(e); let ok = envList.append(p, n); #expect(ok) }
        let (pp, pn) = copy(path)
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: maxBytes)
        buf.initialize(repeating: 0xaa, count: maxBytes)           // garbage: padding must be written
        defer { buf.deallocate() }
        guard let sp = StackLayout.build(into: buf, maxBytes: maxBytes, top: top, image: image, path: pp, pathLength: pn,
                                         args: argList, env: envList, random: random, hwcap: hwcap, vdso: vdso) else { return nil }
        return Stack(bytes: Array(UnsafeBufferPointer(start: buf, count: maxBytes)), sp: sp)
    }

    static let shapes: [(args: [String], env: [String])] = [
        ([], []),
        (["/init"], []),
        (["/init"], ["HOME=/"]),
        (["/init", "a", ""], ["HOME=/", "TERM=linux"]),
        (["prog", "with some spaces", String(repeating: "x", count: 1000)], ["A=1", "B=22", "C=333"]),
        ((0..<17).map { "arg\($0)" }, (0..<6).map { "E\($0)=v" }),
    ]

    @Test(arguments: shapes.indices)
    func vectorsAuxvAndStrings(shape: Int) throws {
        let (args, env) = Self.shapes[shape]
        var image = LoadedImage()
        image.entry = 0x40_1000; image.phdr = 0x40_0040; image.phnum = 9; image.base = 0
        let s = try #require(Self.build(path: "/sbin/init", args: args, env: env, image: image))
        #expect(s.sp % 16 == 0)                                   // psABI: RSP 16-byte aligned at entry (argc)
        #expect(s.top - s.sp <= UInt64(Self.maxBytes))
        var at = s.sp
        func next() -> UInt64? { defer { at += 8 }; return s.word(at) }

        #expect(next() == UInt64(args.count))                    // argc
        var gotArgs: [String] = []
        var pointers: [UInt64] = []
        for _ in args { let p = try #require(next()); pointers.append(p); gotArgs.append(try #require(s.string(p))) }
        #expect(gotArgs == args)
        #expect(next() == 0)                                      // argv NULL
        var gotEnv: [String] = []
        for _ in env { let p = try #require(next()); pointers.append(p); gotEnv.append(try #require(s.string(p))) }
        #expect(gotEnv == env)
        #expect(next() == 0)                                      // envp NULL

        var aux: [(UInt64, UInt64)] = []
        while aux.count < 64 {
            let t = try #require(next()), v = try #require(next())
            aux.append((t, v))
            if t == AuxType.null { break }
        }
        let vectorsEnd = at
        #expect(aux.last?.0 == 0 && aux.last?.1 == 0)            // AT_NULL last
        let keys = aux.map(\.0)
        #expect(Set(keys).count == keys.count)                    // no key twice
        let table = Dictionary(uniqueKeysWithValues: aux)
        #expect(table[3] == 0x40_0040)                            // AT_PHDR
        #expect(table[4] == 56)                                   // AT_PHENT
        #expect(table[5] == 9)                                    // AT_PHNUM
        #expect(table[6] == 4096)                                 // AT_PAGESZ
        #expect(table[7] == 0)                                    // AT_BASE
        #expect(table[9] == 0x40_1000)                            // AT_ENTRY
        for id in [11, 12, 13, 14] as [UInt64] { #expect(table[id] == 0) }   // AT_UID, EUID, GID, EGID
        #expect(table[23] == 0)                                   // AT_SECURE
        #expect(table[16] == 0x178b_fbff)                         // AT_HWCAP
        #expect(table[17] == 100)                                 // AT_CLKTCK
        #expect(table[33] == nil && table[1] == 0)                // no vDSO given: AT_IGNORE, no AT_SYSINFO_EHDR
        let execfn = try #require(table[31])                      // AT_EXECFN
        #expect(s.string(execfn) == "/sbin/init")
        let platform = try #require(table[15])                    // AT_PLATFORM
        #expect(s.string(platform) == "x86_64")
        let random = try #require(table[25])                      // AT_RANDOM: 16 bytes in the region
        #expect(s.word(random) == 0x0102_0304_0506_0708)
        #expect(s.word(random + 8) == 0x1112_1314_1516_1718)
        pointers += [execfn, platform, random]

        // Strings lie in the stack region above the vectors, and the gap between is zero.
        for p in pointers { #expect(p >= vectorsEnd && p < s.top) }
        let lowest = try #require(pointers.min())
        let gap = s.bytes[try #require(s.index(vectorsEnd))..<(try #require(s.index(lowest)))]
        #expect(gap.allSatisfy { $0 == 0 })
    }

    /// With a vDSO, AT_SYSINFO_EHDR (33) is the first auxv entry (Linux's
    /// ARCH_DLINFO) and names it; the rest of the vector is unchanged.
    @Test func vdsoIsAnnouncedFirst() throws {
        let plain = try #require(Self.build(path: "/init", args: ["/init"], env: []))
        let s = try #require(Self.build(path: "/init", args: ["/init"], env: [], vdso: 0x7fff_f7ff_f000))
        let auxv = s.sp + 8 * 4                                   // argc, argv[0], NULL, envp NULL
        #expect(s.word(auxv) == 33 && s.word(auxv + 8) == 0x7fff_f7ff_f000)
        #expect(plain.word(auxv) == 1 && plain.word(auxv + 8) == 0)  // without: AT_IGNORE in its place
        for k in 2..<40 { #expect(s.word(auxv + 8 * UInt64(k)) == plain.word(auxv + 8 * UInt64(k))) }   // the rest as before
    }

    @Test func tooLargeArgumentsDoNotFit() {
        let big = String(repeating: "y", count: 4000)
        #expect(Self.build(path: "/init", args: Array(repeating: big, count: 8), env: []) == nil)
        #expect(Self.build(path: "/init", args: Array(repeating: big, count: 7), env: []) != nil)
        #expect(Self.build(path: String(repeating: "p", count: 40_000), args: [], env: []) == nil)
        #expect(Self.build(path: "/init", args: [], env: Array(repeating: big, count: 8)) == nil)
    }

    /// Strings fit in the buffer less its 1 KiB reserve, but the vectors
    /// (argv of many empty strings) do not: refused, never written past.
    @Test func vectorsThatDoNotFitAreRefused() throws {
        let fits = try #require(Self.build(path: "/init", args: Array(repeating: "", count: 80), env: [], maxBytes: 1200))
        #expect(fits.sp % 16 == 0)
        #expect(fits.word(fits.sp) == 80)
        #expect(Self.build(path: "/init", args: Array(repeating: "", count: 120), env: [], maxBytes: 1200) == nil)
    }
}
