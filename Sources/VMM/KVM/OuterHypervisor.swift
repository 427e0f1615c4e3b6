import CKVM

/// The hypervisor `vmm` itself runs under, if any, read from the host CPU's
/// CPUID: leaf 1 ECX bit 31 says one is present, leaf 0x40000000 names it in
/// EBX:ECX:EDX (Intel SDM vol. 2A "CPUID"; Linux arch/x86/kernel/cpu/
/// hypervisor.c reads the same). Under an emulator such as QEMU TCG even a
/// hardware-assisted /dev/kvm runs guest code emulated, so time ratios say
/// nothing about bare metal.
struct OuterHypervisor: Equatable {
    /// The 12-byte signature, NULs dropped ("KVMKVMKVM", "TCGTCGTCGTCG").
    let signature: String
    /// Who it is, for people.
    let name: String
    /// Whether it emulates the CPU instruction by instruction (TCG) rather
    /// than running guest code on it with VT-x/SVM.
    let emulatesCPU: Bool

    /// Signatures of leaf 0x40000000 (the hypervisors' own documentation and
    /// Linux's arch/x86/include/asm/*_para.h / hypervisor.c).
    static let known: [(signature: String, name: String, emulates: Bool)] = [
        ("TCGTCGTCGTCG", "QEMU TCG (CPU emulated)", true),
        ("KVMKVMKVM", "KVM", false),
        ("Microsoft Hv", "Hyper-V", false),
        ("VMwareVMware", "VMware", false),
        ("XenVMMXenVMM", "Xen", false),
        ("VBoxVBoxVBox", "VirtualBox", false),
        ("bhyve bhyve ", "bhyve", false),
        ("ACRNACRNACRN", "ACRN", false),
        (" lrpepyh  vr", "Parallels", false),
        ("QNXQVMBSQG", "QNX hypervisor", false),
    ]

    /// Pure decision from CPUID leaf 1 ECX and leaf 0x40000000 EBX, ECX, EDX.
    /// Without the hypervisor bit only a known signature counts (leaf
    /// 0x40000000 is then undefined: Intel returns the highest basic leaf).
    static func parse(leaf1ECX: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) -> OuterHypervisor? {
        let present = leaf1ECX & (1 << 31) != 0
        var bytes: [UInt8] = []
        for r in [ebx, ecx, edx] { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: r >> (8 * UInt32(i)))) } }
        let trimmed = bytes.prefix { $0 != 0 }
        let signature = String(decoding: trimmed.map { (0x20...0x7e).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
        if let k = known.first(where: { $0.signature == signature }) {
            return OuterHypervisor(signature: signature, name: k.name, emulatesCPU: k.emulates)
        }
        return present ? OuterHypervisor(signature: signature, name: "an unknown hypervisor", emulatesCPU: false) : nil
    }

    static func detect() -> OuterHypervisor? {
        var leaf1: [UInt32] = [0, 0, 0, 0], leaf4: [UInt32] = [0, 0, 0, 0]
        ckvm_host_cpuid(1, 0, &leaf1)
        ckvm_host_cpuid(0x4000_0000, 0, &leaf4)
        return parse(leaf1ECX: leaf1[2], ebx: leaf4[1], ecx: leaf4[2], edx: leaf4[3])
    }

    /// One line: "KVM (signature "KVMKVMKVM")".
    var description: String {
        "\(name) (CPUID 0x40000000 signature \"\(signature)\")"
            + (emulatesCPU ? ": guest code is emulated; times do not predict bare metal"
                           : ": vmm runs nested; VM exits cost more than on bare metal")
    }
}
