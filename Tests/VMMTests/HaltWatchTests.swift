import CKVM
import Testing
@testable import VMM

/// When the main thread asks the vCPU thread whether its vCPU is halted for
/// good (README, "Linux as a guest": power-off with acpi=off), and what counts.
@Suite struct HaltWatchTests {
    @Test func asksOncePerHLTThatStaysBlockedForTheQuietPeriod() {
        var w = HaltWatch()
        func ask(_ blocking: Bool, _ halts: UInt64, _ now: Double) -> Bool { w.observe(blocking: blocking, haltExits: halts, now: now) }
        #expect(!ask(false, 5, 0))
        #expect(!ask(true, 5, 0.25))
        #expect(!ask(true, 5, 1.0))         // 0.75 s blocked
        #expect(ask(true, 5, 1.25))         // 1 s: ask
        #expect(!ask(true, 5, 5))           // the same HLT: asked already
        // A wake-up and a new HLT: timed afresh.
        #expect(!ask(false, 6, 5.25))
        #expect(!ask(true, 7, 5.5))
        #expect(!ask(true, 7, 6.25))
        #expect(ask(true, 7, 6.5))
        // Blocked again and again on new HLTs, none of them long: never asked.
        var busy = HaltWatch()
        for i in 0..<40 {
            let asked = busy.observe(blocking: true, haltExits: UInt64(i), now: Double(i) * 0.25)
            #expect(!asked)
        }
    }

    @Test func onlyAHaltWithInterruptsOffIsFinal() {
        let halted = Int32(KVM_MP_STATE_HALTED), runnable = Int32(KVM_MP_STATE_RUNNABLE)
        #expect(HaltWatch.isFinal(mpState: halted, rflags: 0x2))             // stop_this_cpu: cli; hlt
        #expect(!HaltWatch.isFinal(mpState: halted, rflags: 0x202))          // idle: an interrupt wakes it
        #expect(!HaltWatch.isFinal(mpState: runnable, rflags: 0x2))
        #expect(!HaltWatch.isFinal(mpState: -9, rflags: 0x2))                // KVM_GET_MP_STATE failed (-EBADF)
    }

    @Test func itsStopIsStatus120WithOneLineAndNoDump() {
        let r = StopReason.haltedInterruptsOff
        #expect(r.exitStatus == 120)
        #expect(!r.wantsRegisterDump)
        #expect(r.message?.hasPrefix("guest halted with interrupts off") == true)
    }
}
