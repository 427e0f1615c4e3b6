import Foundation
import Testing

/// The kernel's name table (Syscalls/SyscallNames.swift, compiled here through
/// KernelShared/) against this host's <asm/unistd_64.h>: every number the
/// host's headers know has the host's name.
@Suite struct KernelSyscallNamesTests {
    static let header = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"

    @Test func everyHostNumberHasItsName() throws {
        guard let text = try? String(contentsOfFile: Self.header, encoding: .utf8) else {
            print("skipped: \(Self.header) is not installed (linux-libc-dev)")
            return
        }
        var checked = 0
        for line in text.split(separator: "\n") where line.hasPrefix("#define __NR_") {
            let words = line.split(separator: " ")
            guard words.count == 3, let nr = UInt64(words[2]) else { continue }
            let want = String(words[1].dropFirst(5))
            let got = syscallName(nr).map { "\($0)" }
            #expect(got == want, "syscall \(nr)")
            checked += 1
        }
        #expect(checked > 300)
    }

    @Test func unassignedNumbersHaveNone() {
        #expect(syscallName(335) == nil)
        #expect(syscallName(423) == nil)
        #expect(syscallName(512) == nil)
        #expect(syscallName(468) == nil)
    }
}
