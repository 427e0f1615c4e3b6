import CKVM
import Glibc
import SystemPackage

/// A vCPU file descriptor and its mmap'ed `struct kvm_run`
/// (KVM API doc 4, "vcpu ioctls", and 5, "The kvm_run structure").
final class VCPU {
    let fd: Int32
    let run: UnsafeMutablePointer<kvm_run>
    let runAreaSize: Int

    init(fd: Int32, runAreaSize: Int) throws {
        self.fd = fd
        self.runAreaSize = runAreaSize
        guard let p = mmap(nil, runAreaSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
              p != MAP_FAILED else {
            let e = Errno.lastError
            close(fd)
            throw KVMError.mmapRun(e)
        }
        run = p.bindMemory(to: kvm_run.self, capacity: 1)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(run), runAreaSize)
        close(fd)
    }

    /// KVM_RUN once. Returns nil when it ran to an exit, or the errno
    /// (EINTR: a signal or `immediate_exit`; EAGAIN: retry).
    @inline(__always)
    func runOnce() -> Errno? {
        ckvm_run(fd) < 0 ? Errno.lastError : nil
    }

    /// Decodes the exit that the last KVM_RUN returned with.
    func lastExit() -> VCPUExit {
        var raw = ckvm_exit()
        ckvm_decode_exit(run, &raw)
        return VCPUExit(raw, runArea: UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(run), count: runAreaSize)) {
            var words = [UInt64](repeating: 0, count: 16)
            let n = ckvm_internal_error_data(self.run, &words, 16)
            return Array(words.prefix(Int(n)))
        }
    }

    func getRegisters() throws -> kvm_regs {
        var r = kvm_regs()
        _ = try kvmCall("KVM_GET_REGS") { ckvm_get_regs(fd, &r) }
        return r
    }

    func setRegisters(_ regs: kvm_regs) throws {
        var r = regs
        _ = try kvmCall("KVM_SET_REGS") { ckvm_set_regs(fd, &r) }
    }

    func getSpecialRegisters() throws -> kvm_sregs {
        var s = kvm_sregs()
        _ = try kvmCall("KVM_GET_SREGS") { ckvm_get_sregs(fd, &s) }
        return s
    }

    func setSpecialRegisters(_ sregs: kvm_sregs) throws {
        var s = sregs
        _ = try kvmCall("KVM_SET_SREGS") { ckvm_set_sregs(fd, &s) }
    }

    func setCPUID2(_ entries: [kvm_cpuid_entry2]) throws {
        let buffer = CPUIDBuffer(entries: entries)
        _ = try kvmCall("KVM_SET_CPUID2") { ckvm_set_cpuid2(fd, buffer.pointer) }
    }

    /// KVM_GET_TSC_KHZ (needs KVM_CAP_GET_TSC_KHZ).
    func getTSCKHz() throws -> UInt64 {
        UInt64(try kvmCall("KVM_GET_TSC_KHZ") { ckvm_get_tsc_khz(fd) })
    }

    /// KVM_GET_STATS_FD: a file of this vCPU's binary statistics.
    func getStatsFD() throws -> Int32 {
        try kvmCall("KVM_GET_STATS_FD") { ckvm_get_stats_fd(fd) }
    }

    /// KVM_PRE_FAULT_MEMORY over [gpa, gpa+size): KVM advances `gpa` and
    /// shrinks `size` as it goes and may stop early (EINTR/EAGAIN), so loop
    /// until the range is done (KVM API doc 4.143).
    func preFaultMemory(gpa: UInt64, size: UInt64) throws {
        var range = kvm_pre_fault_memory()
        range.gpa = gpa
        range.size = size
        while range.size > 0 {
            if ckvm_pre_fault_memory(fd, &range) < 0 {
                let e = Errno.lastError
                if e == .interrupted || e == .resourceTemporarilyUnavailable { continue }
                throw KVMError.ioctl("KVM_PRE_FAULT_MEMORY", e)
            }
        }
    }
}
