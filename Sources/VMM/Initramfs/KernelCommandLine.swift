/// Builds a kernel command line that starts `init` with the given arguments,
/// with Linux's rules (Documentation/admin-guide/kernel-parameters.rst):
/// everything after "--" goes to init as argv; a value with spaces is
/// double-quoted, and so is ";" (unquoted after "--", the built-in kernel
/// reads it as the end of one program of its run list). A double quote
/// itself cannot be expressed.
enum KernelCommandLine {
    struct Unrepresentable: Error, Equatable, CustomStringConvertible {
        let argument: String
        var description: String {
            "argument '\(argument)' cannot be passed on a kernel command line (it contains a double quote or a control character)"
        }
    }

    /// `argv0` is init's argv[0] when it is not `initPath`: the built-in
    /// kernel's `init.argv0=` (Linux has no such parameter; a dotted one is
    /// never put in init's environment, init/main.c).
    static func forInit(_ initPath: String, argv0: String? = nil, arguments: [String], extra: String = "") throws -> String {
        var parts = [try quoted("init=" + initPath)]
        if let argv0 { parts.append(try quoted("init.argv0=" + argv0)) }
        if !extra.isEmpty { parts.append(extra) }
        if !arguments.isEmpty {
            parts.append("--")
            for a in arguments { parts.append(try quoted(a)) }
        }
        return parts.joined(separator: " ")
    }

    static func quoted(_ s: String) throws -> String {
        guard !s.unicodeScalars.contains(where: { $0 == "\"" || $0.value < 0x20 || $0.value == 0x7f }) else {
            throw Unrepresentable(argument: s)
        }
        // Bytes, not Characters: the kernel splits at every 0x20 byte, also one
        // that a combining mark joins into a Character (" \u{301}").
        return s.isEmpty || s.utf8.contains(0x20) || s.utf8.elementsEqual([0x3b]) ? "\"" + s + "\"" : s
    }
}
