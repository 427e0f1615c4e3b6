import CKVM
@testable import VMMCore

/// Input: [length: UInt16, bit 15 = --ignore-unknown-io][run area: length
/// bytes][guest RAM contents]. The run area (a `struct kvm_run` page as KVM
/// leaves it after KVM_RUN) is decoded by the VMM's real path (VCPU.lastExit:
/// ckvm_decode_exit, VCPUExit), the exit goes through ExitDispatcher (serial
/// port, exit port, hypercall port against 64 KiB of guest RAM with RunLoop
/// as the hypercall host) and an IN or MMIO read is completed as RunLoop does.
/// Properties: I/O data lies inside the run area; completing an exit writes
/// only its own data bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExit(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let header = input.integer(UInt16.self)
    let run = FakeVCPU.runArea
    run.initializeMemory(as: UInt8.self, repeating: 0)
    let head = input.take(min(Int(header & 0x3fff), run.count))
    run.copyBytes(from: head)
    let memory = try! GuestMemory(size: 64 << 10)
    try! memory.withMutableBytes(at: 0, count: 64 << 10) { $0.copyBytes(from: input.take(64 << 10)) }

    let vcpu = FakeVCPU.shared
    let exit = vcpu.lastExit()
    let kind = ExitKind(exit)
    _ = kind.name
    let console = CapturedConsole()
    let loop = RunLoop(vcpu: vcpu, memory: memory, stats: nil, console: console,
                       ignoreUnknownIO: header & 0x8000 != 0, timeoutSeconds: nil)
    var dispatcher = ExitDispatcher(console: console, memory: memory, host: loop, ignoreUnknownIO: header & 0x8000 != 0)
    let before = Array(run)
    var mayChange = 0..<0
    switch exit {
    case .ioOut(_, let size, let count, let d), .ioIn(_, let size, let count, let d):
        let start = d.bytes.baseAddress.map { UnsafeRawPointer($0) - UnsafeRawPointer(run.baseAddress!) } ?? 0
        check(start >= 0 && start + d.bytes.count <= run.count, "I/O data outside the run area")
        check(d.bytes.count == size * count, "I/O data is \(d.bytes.count) bytes for \(count) x \(size)")
        mayChange = start..<(start + d.bytes.count)
    case .mmio:
        mayChange = 32..<48        // kvm_run.mmio: phys_addr, then data[8]
    default:
        break
    }
    switch dispatcher.handle(exit) {
    case .resume: break
    case .resumeWithInput(let value):
        // RunLoop.complete(_:with:)
        switch exit {
        case .ioIn(_, let size, _, let d): d.fill(with: value, size: size)
        case .mmio: ckvm_complete_mmio_read(vcpu.run, value)
        default: check(false, "input completion for \(exit)")
        }
    case .stop(let why):
        _ = why.exitStatus
        _ = why.message
    }
    before.withUnsafeBytes { b in
        let now = UnsafeRawBufferPointer(run)
        check(sameBytes(UnsafeRawBufferPointer(rebasing: b[..<mayChange.lowerBound]),
                        UnsafeRawBufferPointer(rebasing: now[..<mayChange.lowerBound]))
              && sameBytes(UnsafeRawBufferPointer(rebasing: b[mayChange.upperBound...]),
                           UnsafeRawBufferPointer(rebasing: now[mayChange.upperBound...])),
              "completing \(exit) changed the run area outside its data")
    }
    return 0
}
