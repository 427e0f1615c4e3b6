import Foundation
import PackagePlugin

/// Build-tool plugin applied to the host target `GuestKernel`.
///
/// Compiles the freestanding Embedded Swift kernel in `<target dir>/Kernel` (excluded
/// from the host build) into `<plugin work dir>/kernel.elf` by running
/// build-guest-kernel.sh (beside this file), and generates `GuestKernelBuildPath.swift`, compiled
/// into the host target, with `let guestKernelBuildPath = "<absolute path of kernel.elf>"`.
@main
struct BuildGuestKernel: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let kernelSrc = target.directoryURL.appending(path: "Kernel")
        let script = context.package.directoryURL.appending(path: "Plugins/BuildGuestKernel/build-guest-kernel.sh")
        // The guest ABI header shared with the VMM (one definition, read by both builds).
        let abiInclude = context.package.directoryURL.appending(path: "Sources/CKVM/include")
        // The vDSO's sources (guest-images/vdso), compiled and embedded by the script.
        let vdsoDir = context.package.directoryURL.appending(path: "guest-images/vdso")
        let work = context.pluginWorkDirectoryURL
        let kernelELF = work.appending(path: "kernel.elf")
        let pathSource = work.appending(path: "GuestKernelBuildPath.swift")

        // swiftc, clang, ld.lld and llvm-objdump of the toolchain running this build.
        let toolBin = try context.tool(named: "swiftc").url.deletingLastPathComponent()

        // Every file under Kernel/ is an input: editing one reruns the command. SwiftPM
        // evaluates this plugin again (new input list) only when it re-plans the build;
        // a file added under Kernel/ does trigger that, because Kernel/ lies inside the
        // target's directory, whose file tree SwiftPM watches (excluded or not).
        var inputs: [URL] = [script, abiInclude.appending(path: "vmm_guest_abi.h")]
            + ["vdso.c", "vdso.lds", "vdso_data.h"].map { vdsoDir.appending(path: $0) }
        let keys: [URLResourceKey] = [.isRegularFileKey]
        if let e = FileManager.default.enumerator(at: kernelSrc, includingPropertiesForKeys: keys) {
            for case let url as URL in e
            where (try? url.resourceValues(forKeys: Set(keys)).isRegularFile) == true {
                inputs.append(url)
            }
        }
        inputs.sort { $0.path < $1.path }

        return [
            .buildCommand(
                displayName: "Building guest kernel (Embedded Swift) \(kernelELF.path)",
                executable: URL(filePath: "/bin/sh"),
                arguments: [script.path, toolBin.path, kernelSrc.path, work.path,
                            kernelELF.path, pathSource.path, abiInclude.path, vdsoDir.path],
                inputFiles: inputs,
                // kernel.elf is deliberately NOT declared: SwiftPM turns every declared
                // output that is not a source file into a resource of the target, which
                // generates resource_bundle_accessor.swift and links Foundation.
                outputFiles: [pathSource]
            )
        ]
    }
}
