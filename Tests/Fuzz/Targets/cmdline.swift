@testable import VMMCore

/// Input: a kernel command line. The first byte chooses the mode:
/// - even: the rest is the command line itself, parsed by the guest kernel's
///   BootCommandLine (Kernel/Boot/CommandLine.swift) and walked as RunList
///   walks it (each program's path and argv words, the environment);
/// - odd: the rest is NUL-separated words, an init path then its arguments,
///   turned into a command line by the VMM (KernelCommandLine.forInit, as
///   `vmm run` does) and parsed back by the kernel. Property: the kernel
///   gets back exactly that path and those arguments.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCommandLine(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.byte()
    let rest = input.rest()
    guard mode & 1 == 1 else {
        let c = parse(rest)
        defer { release(c) }
        walk(c)
        return 0
    }
    let words = rest.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    guard let path = words.first, !path.isEmpty, words.count <= 200 else { return 0 }
    let arguments = Array(words.dropFirst())
    guard let line = try? KernelCommandLine.forInit(path, arguments: arguments),
          line.utf8.count <= BootInfo.maxCommandLine else { return 0 }
    let c = parse(Array(line.utf8))
    defer { release(c) }
    walk(c)
    check(c.programCount == 1, "\(line): \(c.programCount) programs, 1 expected")
    let (p, n) = c.path(0)
    check(Array(UnsafeBufferPointer(start: p, count: n)) == Array(path.utf8), "\(line): init path differs")
    let got = c.arguments(0).map { String(decoding: UnsafeBufferPointer(start: c.args.ptrs[$0], count: c.args.lens[$0]), as: UTF8.self) }
    check(got.map { Array($0.utf8) } == arguments.map { Array($0.utf8) }, "\(line): arguments \(got), expected \(arguments)")
    check(c.env.count == 0, "\(line): environment words appeared")
    return 0
}

/// The kernel parses the copy it finds in the boot info (NUL-terminated there;
/// the parser is given the length).
private func parse(_ bytes: [UInt8]) -> BootCommandLine {
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
    buffer.initialize(from: bytes, count: bytes.count)
    defer { buffer.deallocate() }
    return BootCommandLine(UnsafePointer(buffer), bytes.count)
}

/// What RunList.launch reads of each program (path, argv words, environment).
private func walk(_ c: BootCommandLine) {
    check(c.programCount >= 1 && c.programCount <= BootCommandLine.maxPrograms, "\(c.programCount) programs")
    var sum = 0
    for k in 0..<c.programCount {
        let (p, n) = c.path(k)
        for i in 0..<n { sum &+= Int(p[i]) }
        let r = c.arguments(k)
        check(r.lowerBound >= 0 && r.upperBound <= c.args.count, "program \(k): argv \(r) of \(c.args.count)")
        for i in r { for j in 0..<c.args.lens[i] { sum &+= Int(c.args.ptrs[i][j]) } }
    }
    for i in 0..<c.env.count { for j in 0..<c.env.lens[i] { sum &+= Int(c.env.ptrs[i][j]) } }
    _ = sum
}

/// The kernel parses once and keeps the result; here each input's is freed.
private func release(_ c: BootCommandLine) {
    c.args.deallocate()
    c.env.deallocate()
    c.nextPaths.deallocate()
    c.argStarts.deallocate()
}
