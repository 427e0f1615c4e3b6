import Foundation
import GuestKernel
import Testing

/// Real programs through `vmm run` (issue 13): BusyBox (Debian's
/// busybox-static) picks its applet by argv[0], shell scripts run in the
/// guest exactly as on the host with the same binary, --rootfs trees keep
/// their metadata.
enum RealPrograms {
    static let busybox = "/bin/busybox"

    /// The host's BusyBox, when it is a static x86_64 one (the guest runs no other).
    static let staticBusyBox: Bool = {
        guard let h = FileHandle(forReadingAtPath: busybox) else { return false }
        defer { try? h.close() }
        let head = h.readData(ofLength: 1 << 20)
        return head.starts(with: [0x7f, 0x45, 0x4c, 0x46]) && head.range(of: Data("/lib64/ld-linux".utf8)) == nil
    }()

    static let skipReason = !TestEnvironment.runKVMTests ? TestEnvironment.kvmSkipReason
        : "no static BusyBox at /bin/busybox (apt-get install busybox-static): BusyBox runs skipped"
    static var enabled: Bool { TestEnvironment.runKVMTests && staticBusyBox && KernelTestPrograms.defaultCompiler != nil }

    /// A script file for `--add` (the kernel command line cannot carry newlines or quotes).
    static func script(_ name: String, _ text: String) throws -> URL { try TestGuests.file(name, Array(text.utf8)) }

    /// `busybox sh SCRIPT` on the host and in the guest (`--busybox`, the
    /// script at /NAME): stdout and status.
    static func both(_ name: String, _ text: String, extra: [String] = []) throws -> (host: ProcessResult, guest: ProcessResult) {
        let file = try script(name, text)
        // Through exec_clean: this test process's threads block signals, which sh would inherit.
        let clean = try RunCommandTests.build("exec_clean", compiler: KernelTestPrograms.defaultCompiler!)
        let host = try Run.program(clean, [busybox, "sh", file.path], limit: 60)
        let guest = try Run.vmm(["run", "--memory", "256M", "--timeout", "400", "--busybox", busybox,
                                 "--add", "\(file.path):/\(name)"] + extra + [busybox, "sh", "/\(name)"], limit: 450)
        return (host, guest)
    }
}

@Suite(.enabled(if: RealPrograms.enabled, Comment(rawValue: RealPrograms.skipReason)))
struct BusyBoxRunTests {
    /// argv[0] is PROGRAM as given, or --argv0's.
    @Test func argvZeroIsProgramAsGiven() throws {
        let exe = try RunCommandTests.build("hello", compiler: KernelTestPrograms.defaultCompiler!)
        let r = try Run.vmm(["run", "--memory", "64M", "--timeout", "60", exe.path, "x"])
        #expect(r.stdout == "hello from \(exe.path), argc=2 [x]\n", "\(r.stderr)")
        let named = try Run.vmm(["run", "--memory", "64M", "--timeout", "60", "--argv0", "other name", exe.path])
        #expect(named.stdout == "hello from other name, argc=1\n", "\(named.stderr)")
    }

    /// A multi-call binary runs the applet its argv[0] names (it ran its init applet and hung).
    @Test func busyBoxRunsTheNamedApplet() throws {
        let r = try Run.vmm(["run", "--memory", "64M", "--timeout", "60", RealPrograms.busybox, "echo", "hi"])
        #expect(r.stdout == "hi\n" && r.status == 0, "\(r.stderr)")
        let sh = try Run.vmm(["run", "--memory", "64M", "--timeout", "60", RealPrograms.busybox, "sh", "-c", "echo $((6*7)); exit 4"])
        #expect(sh.stdout == "42\n" && sh.status == 4, "\(sh.stderr)")
    }

    /// The scripts of guest-images/kernel-tests/busybox/ (pipelines,
    /// subshells, here-documents, tar/gzip/sed/sort/awk; traps, background
    /// jobs and wait): the guest prints the host's lines with its status.
    @Test(arguments: ["pipes.sh", "jobs.sh"])
    func shellScriptMatchesTheHost(script: String) throws {
        let source = TestEnvironment.repositoryRoot.appendingPathComponent("guest-images/kernel-tests/busybox/\(script)")
        let (host, guest) = try RealPrograms.both(script, try String(contentsOf: source, encoding: .utf8))
        #expect(host.status == 0, "host: \(host.stderr)")
        Differential.compare(guest, with: host, "\(script) guest vs host")
        #expect(host.stdout.hasSuffix("done\n"))
    }

    /// `ls -a /` of an initramfs made by `find . | cpio` (which archives ".")
    /// lists "." and ".." once each (the "." entry was a child named ".").
    @Test func dotIsListedOnceInAFindCpioImage() throws {
        let root = TestGuests.directory.appendingPathComponent("findcpio-root")
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: RealPrograms.busybox, toPath: root.appendingPathComponent("init").path)
        let image = TestGuests.directory.appendingPathComponent("findcpio.cpio")
        let pack = try Run.program(URL(fileURLWithPath: "/bin/sh"),
                                   ["-c", "cd '\(root.path)' && find . | cpio -o -H newc > '\(image.path)' 2>/dev/null"])
        try #require(pack.status == 0, "find | cpio: \(pack.stderr)")
        let r = try Run.vmm(["boot", GuestKernel.elfPath, "--memory", "64M", "--timeout", "60", "--initrd", image.path,
                             "--cmdline", "quiet init.argv0=ls -- -a /"])
        #expect(r.status == 0, "\(r.stderr)")
        let names = r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(names.sorted() == [".", "..", "bin", "init"], "\(r.stdout)")
    }
}

/// `ls -la /` and a --rootfs tree: no doubled "." or "..", the tree's
/// modes, owners, mtimes and links as the host has them.
@Suite(.enabled(if: RealPrograms.enabled, Comment(rawValue: RealPrograms.skipReason)))
struct RootfsRunTests {
    @Test func treeKeepsModesOwnersMtimesAndLinks() throws {
        let root = TestGuests.directory.appendingPathComponent("rootfs-tree")
        try? FileManager.default.removeItem(at: root)
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("etc/sub"), withIntermediateDirectories: true)
        #expect(fm.createFile(atPath: root.appendingPathComponent("etc/data").path, contents: Data("hello\n".utf8)))
        #expect(chmod(root.appendingPathComponent("etc/data").path, 0o640) == 0)
        #expect(chown(root.appendingPathComponent("etc/data").path, 12, 34) == 0)
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("etc/link").path, withDestinationPath: "data")
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, root.appendingPathComponent("etc/data").path, &times, 0) == 0)
        #expect(utimensat(AT_FDCWD, root.appendingPathComponent("etc/sub").path, &times, 0) == 0)
        let script = "cd /etc && stat -c '%n %a %u %g %h %Y' data sub . && readlink link && cat link && ls -a / | sort | uniq -d | wc -l"
        let r = try Run.vmm(["run", "--memory", "64M", "--timeout", "120", "--rootfs", root.path, "--busybox", RealPrograms.busybox,
                             RealPrograms.busybox, "sh", "-c", script], limit: 180)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "data 640 12 34 1 1000000000", "\(r.stdout)")
        #expect(lines.dropFirst().first == "sub 755 0 0 2 1000000000", "\(r.stdout)")
        #expect(lines.dropFirst(2).first?.hasPrefix(". 755 0 0 3 ") == true, "\(r.stdout)")
        #expect(Array(lines.dropFirst(3)) == ["data", "hello", "0"], "\(r.stdout)")
    }
}
