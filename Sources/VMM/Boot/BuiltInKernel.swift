import Glibc
import GuestKernel

/// The guest kernel `swift build` builds (Sources/GuestKernel, BuildGuestKernel plugin).
enum BuiltInKernel {
    struct NotBuilt: Error, CustomStringConvertible {
        var description: String { "the built-in guest kernel is not available in this build: pass --kernel PATH" }
    }

    /// Its path, when this build has one and the file is there.
    static var path: String? {
        let p = GuestKernel.elfPath
        return access(p, R_OK) == 0 ? p : nil
    }
}
