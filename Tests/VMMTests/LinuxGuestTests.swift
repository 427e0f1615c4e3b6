import Foundation
import Testing
@testable import VMM

/// Linux as a guest of vmm (README, "Linux as a guest"): Debian's kernel
/// booted to a tiny init, on hardware-assisted KVM by nested emulation
/// (guest-images/nested/nested-kvm.sh: kvm_amd under QEMU TCG, slow: a few
/// minutes with the release build), and refused in one line on
/// software-assisted KVM.
@Suite(.serialized) struct LinuxGuestTests {
    static let debianKernel = "/boot/vmlinuz-6.1.0-57-amd64"
    static let harness = TestEnvironment.repositoryRoot.appendingPathComponent("guest-images/nested/nested-kvm.sh")

    /// Why the nested boot cannot run here, or nil when it can.
    static let nestedSkipReason: String? = {
        if ProcessInfo.processInfo.environment["VMM_SKIP_NESTED_TESTS"] == "1" { return "VMM_SKIP_NESTED_TESTS=1" }
        if !FileManager.default.fileExists(atPath: debianKernel) { return "\(debianKernel) is not installed (linux-image-amd64)" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/qemu-system-x86_64") { return "qemu-system-x86 is not installed" }
        if getuid() != 0 { return "the nested harness needs root" }
        // swift test holds the package's build lock, so the harness cannot
        // build: it runs the release vmm as built (NESTED_KVM_PREBUILT=1),
        // which must be newer than every source it is built from.
        let root = TestEnvironment.repositoryRoot
        guard let built = modified(root.appendingPathComponent(".build/release/vmm")) else {
            return "no release build (.build/release/vmm): run swift build -c release first"
        }
        for dir in ["Sources", "guest-images/bench"] {
            let files = FileManager.default.enumerator(at: root.appendingPathComponent(dir), includingPropertiesForKeys: nil)
            while let f = files?.nextObject() as? URL {
                if let m = modified(f), m > built { return "the release build is older than \(f.lastPathComponent): run swift build -c release first" }
            }
        }
        return nil
    }()

    static func modified(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path))?[.modificationDate] as? Date
    }

    static func initrd() throws -> URL {
        let out = TestGuests.directory.appendingPathComponent("linux-tiny-init.cpio")
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("guest-images/linux-guest/make-initrd.sh")
        let r = try Run.program(script, [out.path])
        guard r.status == 0 else { throw GuestBuildError(name: "tiny-init", output: r.stderr) }
        return out
    }

    @Test(.enabled(if: KVMKind.detect().isSoftware && FileManager.default.fileExists(atPath: debianKernel)))
    func refusedInOneLineOnSoftwareKVM() throws {
        let r = try Run.vmm(["boot", Self.debianKernel, "--cmdline", "console=ttyS0", "--timeout", "10"])
        #expect(r.status == 69)
        #expect(r.stderrLines.count == 1)
        #expect(r.stderr.hasPrefix("vmm: Linux cannot run on this KVM: kvm_pvm emulates guest ring 0"))
        #expect(r.stdout.isEmpty)
    }

    @Test func malformedBzImageIsRejectedInOneLine() throws {
        var b = BzBuilder(); b.version = 0x0204
        let r = try Run.vmm(["boot", try TestGuests.file("old.bzImage", b.bytes()).path])
        #expect(r.status == 65)
        #expect(r.stderr == "vmm: bzImage boot protocol 2.04 is older than 2.12, the first with a 64-bit entry point (boot.rst)\n")
        b = BzBuilder(); b.xloadflags = 0
        let r2 = try Run.vmm(["bench", "--linux-kernel", try TestGuests.file("32.bzImage", b.bytes()).path, "--filter", "^getpid$"])
        #expect(r2.status == 65)
        #expect(r2.stderr.contains("XLF_KERNEL_64"))
    }

    /// One nested host, three Linux boots: the exit port from user space
    /// (status 42), reboot through the i8042 (119), and power-off through
    /// ACPI S5 (0); the console output, free of ACPI errors and of the
    /// i8042 probe the FADT's IAPC_BOOT_ARCH turns off.
    @Test(.enabled(if: nestedSkipReason == nil, "nested emulation: \(nestedSkipReason ?? "")"),
          .timeLimit(.minutes(20)))
    func bootsDebiansKernelToInitOnNestedKVM() throws {
        let initrd = try Self.initrd().path
        let k = Self.debianKernel
        let boot = "vmm boot \(k) --initrd \(initrd) --timeout 400"
        let command = """
            \(boot) --cmdline 'console=ttyS0 quiet panic=-1 -- exit 42'; echo "status $?"; \
            \(boot) --cmdline 'console=ttyS0 quiet panic=-1 -- reboot'; echo "status $?"; \
            \(boot) --exit-stats --cmdline 'console=ttyS0 quiet panic=-1 -- poweroff'; echo "status $?"
            """
        setenv("NESTED_KVM_PREBUILT", "1", 1)
        defer { unsetenv("NESTED_KVM_PREBUILT") }
        let r = try Run.program(Self.harness, ["--timeout", "1100", "--add", k, "--add", initrd, "--", command], limit: 1150)
        #expect(r.status == 0, "\(r.stderr.suffix(2000))")
        // Linux's console writes CRLF, one Character in Swift.
        let lines = r.stdout.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        let banner = "tiny-init: pid 1 on Linux 6.1.0-57-amd64"
        #expect(lines.filter { $0 == banner }.count == 3, "\(r.stdout.suffix(3000))")
        #expect(lines.contains("status 42"))
        #expect(lines.contains("status 119"))
        #expect(r.stderr.contains("guest reset the machine (i8042 command 0xfe"))
        #expect(lines.contains("status 0"), "\(r.stdout.suffix(3000))")
        #expect(r.stderr.contains("vmm: guest powered off (ACPI S5: SLP_TYP 5 with SLP_EN written to PM1a_CNT, port 0x604)"))
        // quiet still prints errors and warnings: none from ACPI, none from the i8042.
        #expect(!lines.contains { $0.contains("ACPI Error") || $0.contains("ACPI BIOS Error") || $0.contains("ACPI Warning") },
                "\(r.stdout.suffix(3000))")
        #expect(!lines.contains { $0.contains("i8042") }, "\(r.stdout.suffix(3000))")
        // The power-off boot's --exit-stats: the i8042's status port, read ~10,000
        // times by Linux's probe before the FADT said there is no 8042.
        let statusReads = r.stderr.split(separator: "\n").first { $0.hasPrefix("  io-in 0x064") }
            .flatMap { $0.split(separator: " ").dropFirst(2).first }.flatMap { Int($0) } ?? 0
        #expect(statusReads < 100, "\(r.stderr.suffix(3000))")
    }
}
