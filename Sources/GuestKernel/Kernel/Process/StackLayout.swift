/// The initial user stack of a new program, as Linux builds it
/// (fs/binfmt_elf.c create_elf_tables; System V x86_64 psABI 3.4.1): from the
/// stack pointer up: argc, argv[], NULL, envp[], NULL, auxv pairs ending in
/// AT_NULL, then padding and the strings, random bytes and platform name.
/// This is the pure half (InitialStack.swift copies the result to the
/// process); kept apart so the host test target compiles it (KernelShared/).
enum AuxType {
    static let null: UInt64 = 0, ignore: UInt64 = 1, phdr: UInt64 = 3, phent: UInt64 = 4, phnum: UInt64 = 5
    static let pagesz: UInt64 = 6, base: UInt64 = 7, flags: UInt64 = 8, entry: UInt64 = 9
    static let uid: UInt64 = 11, euid: UInt64 = 12, gid: UInt64 = 13, egid: UInt64 = 14
    static let platform: UInt64 = 15, hwcap: UInt64 = 16, clktck: UInt64 = 17
    static let secure: UInt64 = 23, random: UInt64 = 25, hwcap2: UInt64 = 26, execfn: UInt64 = 31
    static let sysinfoEhdr: UInt64 = 33
}

enum StackLayout {
    /// Lays the image out in `buf[0..<maxBytes]`, whose last byte is the one
    /// just below the user address `top`: the initial RSP, or nil when it does
    /// not fit (the image then occupies buf[maxBytes - (top - rsp) ..< maxBytes]).
    static func build(into buf: UnsafeMutablePointer<UInt8>, maxBytes: Int, top: UInt64, image: LoadedImage,
                      path: UnsafePointer<UInt8>, pathLength: Int, args: StringList, env: StringList,
                      random: (UInt64, UInt64), hwcap: UInt64, vdso: UInt64 = 0) -> UInt64? {
        var used = 0          // bytes below `top`, growing down
        func push(_ src: UnsafePointer<UInt8>, _ n: Int, nul: Bool) -> UInt64? {
            let total = n + (nul ? 1 : 0)
            guard used + total <= maxBytes - 1024 else { return nil }
            used += total
            let at = maxBytes - used
            for i in 0..<n { buf[at + i] = src[i] }
            if nul { buf[at + n] = 0 }
            return top - UInt64(used)
        }
        guard let execfn = push(path, pathLength, nul: true) else { return nil }
        let argPtrs = UnsafeMutablePointer<UInt64>.allocate(capacity: args.count + 1)
        let envPtrs = UnsafeMutablePointer<UInt64>.allocate(capacity: env.count + 1)
        defer { argPtrs.deallocate(); envPtrs.deallocate() }
        for i in 0..<env.count { guard let a = push(env.ptrs[i], env.lens[i], nul: true) else { return nil }; envPtrs[i] = a }
        for i in 0..<args.count { guard let a = push(args.ptrs[i], args.lens[i], nul: true) else { return nil }; argPtrs[i] = a }
        var random = random
        guard let randomAt = withUnsafeBytes(of: &random, { push($0.baseAddress!.assumingMemoryBound(to: UInt8.self), 16, nul: false) }),
              let platform = push(StaticString("x86_64").utf8Start, 6, nul: true) else { return nil }

        // AT_SYSINFO_EHDR first, as Linux's ARCH_DLINFO; AT_IGNORE in its place
        // without a vDSO (one array literal: no concatenation to allocate).
        let aux: [(UInt64, UInt64)] = [
            vdso != 0 ? (AuxType.sysinfoEhdr, vdso) : (AuxType.ignore, 0), (AuxType.hwcap, hwcap), (AuxType.pagesz, Physical.pageSize), (AuxType.clktck, 100),
            (AuxType.phdr, image.phdr), (AuxType.phent, image.phent), (AuxType.phnum, image.phnum),
            (AuxType.base, image.base), (AuxType.flags, 0), (AuxType.entry, image.entry),
            (AuxType.uid, 0), (AuxType.euid, 0), (AuxType.gid, 0), (AuxType.egid, 0),
            (AuxType.secure, 0), (AuxType.random, randomAt), (AuxType.hwcap2, 0),
            (AuxType.execfn, execfn), (AuxType.platform, platform), (AuxType.null, 0),
        ]
        let words = 1 + args.count + 1 + env.count + 1 + 2 * aux.count
        let stringsLow = (top - UInt64(used)) & ~15
        let sp = (stringsLow - UInt64(words * 8)) & ~15      // 16-byte aligned at argc (psABI)
        let total = Int(top - sp)
        guard total <= maxBytes else { return nil }
        let w = UnsafeMutableRawPointer(buf + (maxBytes - total))
        var k = 0
        func put(_ v: UInt64) { w.storeBytes(of: v, toByteOffset: 8 * k, as: UInt64.self); k += 1 }
        put(UInt64(args.count))
        for i in 0..<args.count { put(argPtrs[i]) }
        put(0)
        for i in 0..<env.count { put(envPtrs[i]) }
        put(0)
        for (t, v) in aux { put(t); put(v) }
        // Zero the padding between the vectors and the strings.
        var z = 8 * k
        while z < Int(top - UInt64(used) - sp) { w.storeBytes(of: 0, toByteOffset: z, as: UInt8.self); z += 1 }
        return sp
    }
}
