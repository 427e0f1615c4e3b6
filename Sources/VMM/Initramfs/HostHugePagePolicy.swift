/// The host's transparent-huge-page policy, passed to the built-in kernel as
/// Linux's own `transparent_hugepage=` parameter so that a program run by
/// `vmm run` or `vmm bench` gets 2 MiB pages in the guest exactly where it
/// would on this host (Documentation/admin-guide/mm/transhuge.rst: the
/// sysfs file reads like "always [madvise] never", the bracketed one current).
enum HostHugePagePolicy {
    static let sysfsPath = "/sys/kernel/mm/transparent_hugepage/enabled"

    /// "always", "madvise" or "never" from the sysfs text; nil when none is selected.
    static func parse(_ text: String) -> String? {
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) where word.first == "[" && word.last == "]" {
            let value = String(word.dropFirst().dropLast())
            return ["always", "madvise", "never"].contains(value) ? value : nil
        }
        return nil
    }

    /// `transparent_hugepage=VALUE` for this host, or "" where the host has
    /// no THP (the kernel then keeps its default, madvise).
    static func kernelParameter() -> String {
        guard let text = readTextFile(sysfsPath), let value = parse(text) else { return "" }
        return "transparent_hugepage=" + value
    }
}
