import Foundation
import PackagePlugin

/// Build-tool plugin applied to the host target `GuestImages`.
///
/// Builds the programs the VMM puts into guests, from guest-images/, with the
/// system C compiler: today the benchmark binary (guest-images/bench/bench.c,
/// static, so the same file runs on the host and as the guest's init). It
/// generates `GuestImagesBuildPaths.swift` naming the outputs; the binaries
/// themselves are not declared outputs (SwiftPM would make them resources
/// and link Foundation into `vmm`).
@main
struct BuildGuestImages: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let script = package.appending(path: "Plugins/BuildGuestImages/build-guest-images.sh")
        let source = package.appending(path: "guest-images/bench/bench.c")
        let abiInclude = package.appending(path: "Sources/CKVM/include")
        let work = context.pluginWorkDirectoryURL
        let bench = work.appending(path: "bench")
        let paths = work.appending(path: "GuestImagesBuildPaths.swift")
        return [
            .buildCommand(
                displayName: "Building the benchmark binary \(bench.path)",
                executable: URL(filePath: "/bin/sh"),
                arguments: [script.path, source.path, abiInclude.path, bench.path, paths.path],
                inputFiles: [script, source, abiInclude.appending(path: "vmm_guest_abi.h")],
                outputFiles: [paths]
            )
        ]
    }
}
