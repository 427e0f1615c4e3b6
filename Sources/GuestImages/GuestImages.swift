/// Where `swift build` put the programs built from guest-images/ (by the
/// BuildGuestImages plugin, which generates `benchBuildPath`).
public enum GuestImages {
    /// The static benchmark binary (guest-images/bench/bench.c).
    public static let benchPath: String = benchBuildPath
}
