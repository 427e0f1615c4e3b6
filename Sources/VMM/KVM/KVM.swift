import CKVM
import Glibc
import SystemPackage

/// The KVM system file descriptor (`/dev/kvm`): capabilities, VM creation,
/// supported CPUID (KVM API doc section 4, "system ioctls").
final class KVM {
    static let stableAPIVersion: Int32 = 12
    let fd: Int32

    init(path: String = "/dev/kvm") throws {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw KVMError.open(path: path, Errno.lastError) }
        self.fd = fd
        let version = try kvmCall("KVM_GET_API_VERSION") { ckvm_get_api_version(fd) }
        guard version == Self.stableAPIVersion else {
            close(fd)
            throw KVMError.apiVersion(version)
        }
    }

    deinit { close(fd) }

    /// KVM_CHECK_EXTENSION: 0 when absent (or when the query itself fails).
    func checkExtension(_ cap: Int32) -> Int32 {
        max(0, ckvm_check_extension(fd, Int(cap)))
    }

    func vcpuMmapSize() throws -> Int {
        Int(try kvmCall("KVM_GET_VCPU_MMAP_SIZE") { ckvm_get_vcpu_mmap_size(fd) })
    }

    func createVM() throws -> VirtualMachine {
        let vmfd = try kvmCall("KVM_CREATE_VM") { ckvm_create_vm(fd, 0) }
        return VirtualMachine(fd: vmfd, runAreaSize: try vcpuMmapSize())
    }

    /// KVM_GET_SUPPORTED_CPUID, growing the buffer while KVM says E2BIG.
    func supportedCPUID() throws -> [kvm_cpuid_entry2] {
        var capacity = 64
        while true {
            let buffer = CPUIDBuffer(capacity: capacity)
            let r = ckvm_get_supported_cpuid(fd, buffer.pointer)
            if r >= 0 { return buffer.entries }
            let e = Errno.lastError
            if e == .argListTooLong && capacity < 4096 { capacity *= 2; continue }
            if e == .interrupted { continue }
            throw KVMError.ioctl("KVM_GET_SUPPORTED_CPUID", e)
        }
    }
}

/// A `struct kvm_cpuid2` with its flexible array of entries.
final class CPUIDBuffer {
    let pointer: UnsafeMutablePointer<kvm_cpuid2>
    private let raw: UnsafeMutableRawPointer

    init(capacity: Int) {
        let bytes = MemoryLayout<kvm_cpuid2>.size + capacity * MemoryLayout<kvm_cpuid_entry2>.stride
        raw = .allocate(byteCount: bytes, alignment: 8)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        pointer = raw.bindMemory(to: kvm_cpuid2.self, capacity: 1)
        pointer.pointee.nent = UInt32(capacity)
    }

    convenience init(entries: [kvm_cpuid_entry2]) {
        self.init(capacity: entries.count)
        let base = entriesBase
        for (i, e) in entries.enumerated() { base[i] = e }
    }

    deinit { raw.deallocate() }

    private var entriesBase: UnsafeMutablePointer<kvm_cpuid_entry2> {
        (raw + MemoryLayout<kvm_cpuid2>.size).bindMemory(
            to: kvm_cpuid_entry2.self, capacity: Int(pointer.pointee.nent))
    }

    var entries: [kvm_cpuid_entry2] {
        let n = Int(pointer.pointee.nent)
        return Array(UnsafeBufferPointer(start: entriesBase, count: n))
    }
}
