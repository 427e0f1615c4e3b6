import Glibc
@testable import VMMCore

/// A real `VCPU` whose run area is a shared mapping of a temporary file
/// instead of a KVM vCPU descriptor: VCPU.init maps it as it maps
/// /dev/kvm's, and `lastExit()` decodes whatever the fuzzer wrote there
/// through the same C decoder (ckvm_decode_exit). Nothing calls KVM_RUN.
enum FakeVCPU {
    static let runAreaSize = 8192

    static let shared: VCPU = {
        var template = Array("/tmp/vmm-fuzz-run-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(fd >= 0, "mkstemp failed")
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        precondition(ftruncate(fd, off_t(runAreaSize)) == 0, "ftruncate failed")
        return try! VCPU(fd: fd, runAreaSize: runAreaSize)
    }()

    static var runArea: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(shared.run), count: runAreaSize)
    }
}
