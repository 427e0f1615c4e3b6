/// The benchmark binary `swift build` builds from guest-images/bench.
enum BuiltInBench {
    /// Its path, when this build has one.
    static var path: String? { nil }
}
