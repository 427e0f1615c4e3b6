import Glibc

/// Which kind of KVM serves /dev/kvm. It decides whether guest-vs-host time
/// ratios mean anything (platform.md: under kvm_pvm guest ring 0 is emulated).
enum KVMKind: Equatable {
    /// VT-x (kvm_intel) or SVM (kvm_amd): guest code runs on the CPU.
    case hardware(vendor: String)
    /// A software-assisted KVM such as kvm_pvm: guest ring 0 is emulated.
    case software(module: String)
    case unknown

    var isSoftware: Bool { if case .software = self { return true } else { return false } }

    /// "hardware" or "software" (or "unknown"), the key used in JSON.
    var key: String {
        switch self {
        case .hardware: return "hardware"
        case .software: return "software"
        case .unknown: return "unknown"
        }
    }

    var description: String {
        switch self {
        case .hardware(let vendor):
            return "hardware-assisted KVM (\(vendor))"
        case .software(let module):
            return "software-assisted KVM (\(module): guest ring 0 is emulated; guest/host time ratios do not predict hardware)"
        case .unknown:
            return "KVM of unknown kind (no kvm_intel, kvm_amd or kvm_pvm module seen)"
        }
    }

    /// Pure decision from the loaded modules and the CPU's flags.
    /// kvm_pvm wins: it may be loaded on a CPU that has vmx/svm.
    static func classify(loadedModules: Set<String>, cpuFlags: Set<String>) -> KVMKind {
        if loadedModules.contains("kvm_pvm") { return .software(module: "kvm_pvm") }
        if loadedModules.contains("kvm_intel") { return .hardware(vendor: "Intel VT-x, kvm_intel") }
        if loadedModules.contains("kvm_amd") { return .hardware(vendor: "AMD SVM, kvm_amd") }
        if cpuFlags.contains("vmx") { return .hardware(vendor: "Intel VT-x") }
        if cpuFlags.contains("svm") { return .hardware(vendor: "AMD SVM") }
        return .unknown
    }

    /// Looks at /sys/module (cheap: a few access(2) calls). CPU flags are only
    /// read when no module answers.
    static func detect() -> KVMKind {
        var modules = Set<String>()
        for m in ["kvm_pvm", "kvm_intel", "kvm_amd"] where access("/sys/module/\(m)", F_OK) == 0 {
            modules.insert(m)
        }
        if !modules.isEmpty { return classify(loadedModules: modules, cpuFlags: []) }
        return classify(loadedModules: modules, cpuFlags: CPUInfo.read().flags)
    }
}

/// The parts of /proc/cpuinfo a report needs.
struct CPUInfo {
    var modelName: String = "unknown CPU"
    var flags: Set<String> = []

    static func parse(_ text: Substring) -> CPUInfo {
        var info = CPUInfo()
        var sawModel = false, sawFlags = false
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingSpaces
            let value = line[line.index(after: colon)...].trimmingSpaces
            if key == "model name", !sawModel { info.modelName = String(value); sawModel = true }
            if key == "flags", !sawFlags {
                info.flags = Set(value.split(separator: " ").map(String.init)); sawFlags = true
            }
            if sawModel && sawFlags { break }
        }
        return info
    }

    static func read() -> CPUInfo {
        guard let text = readTextFile("/proc/cpuinfo") else { return CPUInfo() }
        return parse(Substring(text))
    }
}
