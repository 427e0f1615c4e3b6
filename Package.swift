// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "vmm",
    products: [
        .executable(name: "vmm", targets: ["VMM"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // C shim over <linux/kvm.h> plus the guest ABI header shared with guests.
        .target(name: "CKVM"),
        // The `vmm` command and the machinery behind it. No Foundation here.
        .executableTarget(
            name: "VMM",
            dependencies: [
                "CKVM",
                "GuestKernel",
                "GuestImages",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Sources/VMM",
            swiftSettings: [.swiftLanguageMode(.v5)],
            // Release builds link the Swift runtime statically and non-PIE:
            // process start drops from ~10 ms to ~5 ms here, most of the rest
            // being dynamic relocation and protocol-conformance scans (README,
            // Performance). Not in debug, where the test bundle links these
            // objects too and the static runtime clashes with the testing
            // libraries.
            linkerSettings: [.unsafeFlags([
                "-static-stdlib", "-Xclang-linker", "-no-pie",
                // FoundationEssentials (used by swift-argument-parser) needs these
                // two when linked statically.
                "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims",
            ], .when(configuration: .release))]
        ),
        // Host library carrying only the built guest kernel's path (`GuestKernel.elfPath`).
        // Kernel/ is the freestanding Embedded Swift kernel: excluded from the host build,
        // compiled for x86_64-unknown-none-elf by the BuildGuestKernel plugin.
        .target(
            name: "GuestKernel",
            path: "Sources/GuestKernel",
            exclude: ["Kernel", "README.md"],
            plugins: ["BuildGuestKernel"]
        ),
        .plugin(
            name: "BuildGuestKernel",
            capability: .buildTool(),
            path: "Plugins/BuildGuestKernel"
        ),
        // Host library carrying only the paths of the programs built from
        // guest-images/ (the benchmark binary) by the BuildGuestImages plugin.
        .target(
            name: "GuestImages",
            path: "Sources/GuestImages",
            plugins: ["BuildGuestImages"]
        ),
        .plugin(
            name: "BuildGuestImages",
            capability: .buildTool(),
            path: "Plugins/BuildGuestImages"
        ),
        .testTarget(
            name: "VMMTests",
            dependencies: ["VMM", "CKVM", "GuestKernel", "GuestImages"],
            path: "Tests/VMMTests",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
