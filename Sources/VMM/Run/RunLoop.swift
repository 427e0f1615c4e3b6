import CKVM
import Glibc
import SystemPackage

/// What a finished run produced.
struct RunOutcome {
    let reason: StopReason
    let dump: RegisterDump?
    let accounting: ExitAccounting
    /// The guest's marks and reports, bounded (GuestRecords).
    let records: GuestRecords
    var marks: [Mark] { records.marks }
    var reports: [[UInt8]] { records.reports }
    let statsAtStart: StatsSnapshot
    let statsAtEnd: StatsSnapshot
    let runNanos: UInt64
    let badHypercalls: UInt64
    /// The signal the guest kernel said killed the program (VMM_HC_LOG).
    let programKilledBy: Int32?
    /// With --profile: every guest instruction, by kernel function and window.
    let profile: InstructionProfile?
}

/// The KVM_RUN loop for one vCPU: run, decode, dispatch, account, repeat.
/// It owns the accounting and the marks; devices live in the dispatcher.
final class RunLoop: HypercallHost {
    let vcpu: VCPU
    let memory: GuestMemory
    let stats: BinaryStatsReader?
    let timeoutSeconds: Double?
    private let console: ConsoleSink
    private let ignoreUnknownIO: Bool
    /// The VM whose interrupt lines the PC devices drive (Linux guests); nil: none.
    private let pcDevicesVM: VirtualMachine?
    /// The VM whose in-kernel irqchip takes the UART's interrupt (a kernel
    /// with VMM_FEATURE_IRQCHIP, or Linux); nil: no interrupt lines.
    private let irqchipVM: VirtualMachine?
    /// vmm's stdin as the UART's receiver; nil: nothing to receive.
    private let input: ConsoleInput?
    private lazy var dispatcher: ExitDispatcher = {
        var d = ExitDispatcher(console: console, memory: memory, host: self, ignoreUnknownIO: ignoreUnknownIO)
        d.pcDevices = pcDevicesVM != nil
        if let vm = irqchipVM ?? pcDevicesVM { d.setIRQLine = { irq, high in _ = vm.setIRQLine(irq, high: high) } }
        d.serial.input = input
        return d
    }()
    private var accounting = ExitAccounting()
    private var records = GuestRecords()
    private var startNanos: UInt64 = 0
    private let kernelLog: KernelLog
    private let profileSymbols: KernelSymbols?
    private var profile: InstructionProfile?

    init(vcpu: VCPU, memory: GuestMemory, stats: BinaryStatsReader?, console: ConsoleSink,
         kernelLog: ConsoleSink? = nil, ignoreUnknownIO: Bool, timeoutSeconds: Double?,
         pcDevicesVM: VirtualMachine? = nil, irqchipVM: VirtualMachine? = nil, input: ConsoleInput? = nil,
         profileSymbols: KernelSymbols? = nil) {
        self.kernelLog = KernelLog(sink: kernelLog)
        self.pcDevicesVM = pcDevicesVM
        self.irqchipVM = irqchipVM
        self.input = input
        self.profileSymbols = profileSymbols
        self.vcpu = vcpu
        self.memory = memory
        self.stats = stats
        self.timeoutSeconds = timeoutSeconds
        self.console = console
        self.ignoreUnknownIO = ignoreUnknownIO
    }

    // MARK: HypercallHost

    func recordMark(id: UInt64) -> Mark { recordMark(id: id, port: Ports.hypercall) }

    func recordMark(id: UInt64, port: UInt16) -> Mark {
        // Counts include the exit being handled (it is accounted after).
        var byKind = accounting.counts
        byKind[.ioOut(port: port), default: 0] += 1
        let m = Mark(id: id, nanos: monotonicNanos() - startNanos, exits: accounting.total + 1,
                     exitsByKind: byKind, stats: stats?.snapshot() ?? StatsSnapshot(values: [:]))
        records.add(m)
        profile?.mark(id: id, emulated: m.stats.values["insn_emulation"])
        return m
    }

    func keepReport(_ bytes: [UInt8]) { records.add(report: bytes) }

    func kernelLog(_ bytes: [UInt8], killedBy: UInt64) {
        // Kept with the reports too, as before the log had its own channel
        // (--exit-stats lists them), within the log's own bound.
        if kernelLog.count < KernelLog.keptLines { records.add(report: bytes) }
        kernelLog.line(bytes, killedBy: killedBy)
    }

    func consoleRead(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, drained: Bool) {
        input?.receive(into: buffer) ?? (0, false)
    }

    // MARK: the loop

    func run() throws -> RunOutcome {
        ckvm_kick_register(vcpu.run)
        let installed = ckvm_kick_install_signals()
        if installed != 0 { throw KVMError.system("sigaction", Errno(rawValue: -installed)) }
        if let t = timeoutSeconds {
            let r = ckvm_watchdog_arm(UInt64(t * 1e9))
            if r != 0 { throw KVMError.system("timer_create", Errno(rawValue: -r)) }
        }
        defer {
            ckvm_watchdog_disarm()
            ckvm_kick_register(nil)
        }
        // The input kick's handler also serves the halt check (HaltWatch), with or without an input.
        let kickInstalled = ckvm_input_kick_install()
        if kickInstalled != 0 { throw KVMError.system("sigaction", Errno(rawValue: -kickInstalled)) }
        // The reader thread starts here, before confinement (clone is not allowed after).
        try input?.attach()
        defer { input?.detach() }

        // Single-step is switched on once, before confinement, and never
        // off: the filter need not allow KVM_SET_GUEST_DEBUG (README, "Seccomp").
        if profileSymbols != nil {
            let r = ckvm_set_singlestep(vcpu.fd, 1)
            if r != 0 { throw KVMError.system("KVM_SET_GUEST_DEBUG (single-step, for --profile)", Errno(rawValue: -r)) }
        }

        // Set-up is done: from here this thread may make only the run
        // loop's system calls (README, "Seccomp").
        let confined = ckvm_seccomp_confine(stats?.fd ?? -1)
        if confined != 0 { throw KVMError.system("seccomp", Errno(rawValue: -confined)) }
        if let probe = getenv("VMM_DEBUG_SECCOMP_PROBE"), String(cString: probe) == "open" { _ = ckvm_seccomp_probe() }

        let statsAtStart = stats?.snapshot() ?? StatsSnapshot(values: [:])
        if let s = profileSymbols { profile = InstructionProfile(symbols: s, emulatedAtStart: statsAtStart.values["insn_emulation"]) }
        startNanos = monotonicNanos()
        var reason: StopReason
        loop: while true {
            let error = vcpu.runOnce()
            let t0 = monotonicNanos()
            if let e = error {
                guard e == .interrupted || e == .resourceTemporarilyUnavailable else {
                    throw KVMError.ioctl("KVM_RUN", e)
                }
                let kick = ckvm_kick_reason()
                if kick == CKVM_KICK_WATCHDOG { reason = .timedOut(seconds: timeoutSeconds ?? 0); break loop }
                if kick > 0 { reason = .signal(kick); break loop }
                // No stop asked: the console input's kick (ConsoleInput), or the halt check's (HaltWatch).
                ckvm_input_kick_clear(vcpu.run)
                dispatcher.inputArrived()
                accounting.record(.interrupted, nanos: monotonicNanos() - t0)
                if ckvm_halt_check_take() != 0, let regs = try? vcpu.getRegisters(),
                   HaltWatch.isFinal(mpState: ckvm_get_mp_state(vcpu.fd), rflags: regs.rflags) {
                    reason = .haltedInterruptsOff
                    break loop
                }
                continue
            }
            // A stepped instruction (KVM API doc 5, KVM_EXIT_DEBUG): counted, not a VM exit of the guest's.
            if profile != nil, vcpu.run.pointee.exit_reason == UInt32(KVM_EXIT_DEBUG) {
                profile?.step(rip: ckvm_debug_pc(vcpu.run))
                continue
            }
            let exit = vcpu.lastExit()
            let action = dispatcher.handle(exit)
            switch action {
            case .resume:
                break
            case .resumeWithInput(let value):
                complete(exit, with: value)
            case .stop(let why):
                accounting.record(ExitKind(exit), nanos: monotonicNanos() - t0)
                reason = why
                break loop
            }
            accounting.record(ExitKind(exit), nanos: monotonicNanos() - t0)
        }
        let runNanos = monotonicNanos() - startNanos
        let statsAtEnd = stats?.snapshot() ?? StatsSnapshot(values: [:])
        profile?.finish(emulated: statsAtEnd.values["insn_emulation"])
        var dump: RegisterDump?
        if reason.wantsRegisterDump, let regs = try? vcpu.getRegisters(), let sregs = try? vcpu.getSpecialRegisters() {
            dump = RegisterDump(regs: regs, sregs: sregs, memory: memory)
        }
        return RunOutcome(reason: reason, dump: dump, accounting: accounting, records: records,
                          statsAtStart: statsAtStart, statsAtEnd: statsAtEnd, runNanos: runNanos,
                          badHypercalls: dispatcher.badHypercalls, programKilledBy: kernelLog.programKilledBy,
                          profile: profile)
    }

    /// Writes the value an IN or MMIO read returns into the run area.
    private func complete(_ exit: VCPUExit, with value: UInt64) {
        switch exit {
        case .ioIn(_, let size, _, let data): data.fill(with: value, size: size)
        case .mmio: ckvm_complete_mmio_read(vcpu.run, value)
        default: break
        }
    }
}
