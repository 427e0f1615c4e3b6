@testable import VMMCore

/// Input: a kernel image file, as `--profile` reads its .symtab and .strtab
/// (Boot/KernelSymbols.swift), then steps at every symbol's edges through an
/// InstructionProfile (Run/InstructionProfile.swift) and its text.
/// Properties: symbols are sorted with distinct starts and non-empty ranges;
/// a symbol's first and last byte find it; every step lands in one bucket.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSymbols(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let symbols = try? KernelSymbols(elf: Array(FuzzInput(data, size).bytes)) else { return 0 }
    let all = symbols.symbols
    for (a, b) in zip(all, all.dropFirst()) { check(a.start < b.start, "symbols not sorted by distinct start") }
    var profile = InstructionProfile(symbols: symbols, emulatedAtStart: 0)
    for (i, s) in all.enumerated() {
        check(s.start < s.end, "symbol \(i) has an empty range")
        check(symbols.index(of: s.start) == i && symbols.index(of: s.end - 1) == i, "symbol \(i) not found at its edges")
        for rip in [s.start, s.end - 1, s.end] { profile.step(rip: rip) }
        if i % 7 == 0 { profile.mark(id: UInt64(i), emulated: UInt64(i)) }
    }
    profile.finish(emulated: nil)
    check(profile.steps == UInt64(all.count * 3), "steps lost: \(profile.steps) of \(all.count * 3)")
    _ = ProfileText.render(profile, kernel: "fuzz")
    return 0
}
