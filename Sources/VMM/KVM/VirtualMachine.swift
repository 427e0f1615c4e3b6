import CKVM
import Glibc
import SystemPackage

/// A VM file descriptor: memory slots and vCPU creation (KVM API doc 4, "vm ioctls").
final class VirtualMachine {
    let fd: Int32
    let runAreaSize: Int

    init(fd: Int32, runAreaSize: Int) {
        self.fd = fd
        self.runAreaSize = runAreaSize
    }

    deinit { close(fd) }

    func checkExtension(_ cap: Int32) -> Int32 {
        max(0, ckvm_check_extension(fd, Int(cap)))
    }

    /// KVM_SET_USER_MEMORY_REGION for one slot.
    func setUserMemoryRegion(slot: UInt32, guestPhysicalAddress: UInt64,
                             size: UInt64, host: UnsafeMutableRawPointer) throws {
        var region = kvm_userspace_memory_region(
            slot: slot, flags: 0, guest_phys_addr: guestPhysicalAddress,
            memory_size: size, userspace_addr: UInt64(UInt(bitPattern: host)))
        _ = try kvmCall("KVM_SET_USER_MEMORY_REGION") { ckvm_set_user_memory_region(fd, &region) }
    }

    func createVCPU(id: UInt) throws -> VCPU {
        let vcpufd = try kvmCall("KVM_CREATE_VCPU") { ckvm_create_vcpu(fd, id) }
        return try VCPU(fd: vcpufd, runAreaSize: runAreaSize)
    }
}
