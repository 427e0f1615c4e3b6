import Foundation
import GuestKernel
import Testing

/// The file-system differential programs (guest-images/kernel-tests/fs_*.c,
/// issue 13: sendfile, statfs/fstatfs; issue 14: tmpfs directory listings),
/// built with gcc -static (glibc) and musl-gcc -static, compared line for line
/// with the host.
enum FileSystemPrograms {
    static let names = ["fs_sendfile", "fs_dirents"]
}

/// The host half: each program ends with "done" and status 0, and glibc and musl agree. No KVM.
@Suite(.enabled(if: KernelTestPrograms.muslGCC != nil, Comment(rawValue: KernelTestPrograms.skipReason)))
struct FileSystemProgramsOnTheHostTests {
    @Test(arguments: FileSystemPrograms.names)
    func glibcAndMuslPrintTheSameLinesOnTheHost(program: String) throws {
        try Differential.libcsAgreeOnTheHost(program)
    }
}

/// The guest half: `vmm run` of the same executable prints the host's lines.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct FileSystemDifferentialTests {
    @Test(arguments: FileSystemPrograms.names, ["musl", "glibc"])
    func guestMatchesTheHostLineForLine(program: String, libc: String) throws {
        try Differential.guestMatchesTheHost(program, libc: libc)
    }
}
