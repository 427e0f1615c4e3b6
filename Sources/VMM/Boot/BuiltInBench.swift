import GuestImages

/// The benchmark binary `swift build` builds from guest-images/bench.
enum BuiltInBench {
    static var path: String? { GuestImages.benchPath }
}
