import KernelSupport

/// The initial user stack of a new program: laid out by StackLayout.build
/// (StackLayout.swift) in a kernel buffer, then copied to the top of the
/// process's stack area.
enum InitialStack {
    static let maxBytes = 32 * 1024

    /// The initial RSP, or nil when the image does not fit. `vdso`: the
    /// vDSO's address for AT_SYSINFO_EHDR (0: none).
    static func build(_ p: UnsafeMutablePointer<Process>, image: LoadedImage, path: UnsafePointer<UInt8>, pathLength: Int,
                      args: StringList, env: StringList, vdso: UInt64) -> UInt64? {
        let top = Process.stackTop
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: maxBytes)
        defer { buf.deallocate() }
        var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0
        cpuid(1, 0, &a, &b, &c, &d)
        guard let sp = StackLayout.build(into: buf, maxBytes: maxBytes, top: top, image: image,
                                         path: path, pathLength: pathLength, args: args, env: env,
                                         random: (Random.next(), Random.next()), hwcap: UInt64(d), vdso: vdso) else { return nil }
        let total = Int(top - sp)
        guard UserMemory.copyOut(p, to: sp, from: UnsafeMutableRawPointer(buf + (maxBytes - total)), count: total) else { return nil }
        return sp
    }
}
