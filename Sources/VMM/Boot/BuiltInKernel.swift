/// The guest kernel `swift build` builds from Sources/GuestKernel.
enum BuiltInKernel {
    struct NotBuilt: Error, CustomStringConvertible {
        var description: String { "the built-in guest kernel is not available in this build: pass --kernel PATH" }
    }

    /// Its path, when this build has one.
    static var path: String? { nil }
}
