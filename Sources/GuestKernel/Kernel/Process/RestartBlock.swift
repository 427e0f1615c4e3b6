/// What a system call cut short by a signal leaves for restart_syscall(2)
/// when it returns -ERESTART_RESTARTBLOCK (Linux's struct restart_block,
/// include/linux/restart_block.h): a relative sleep keeps its absolute
/// deadline, so the call the way back to ring 3 restarts (no handler ran:
/// the signal stopped and continued the process) sleeps only what was left
/// (hrtimer_nanosleep_restart, do_restart_poll). A handler's signal makes
/// it EINTR instead (SignalDelivery.restart).
struct RestartBlock {
    enum Kind { case none, nanosleep, poll }
    var kind = Kind.none
    /// TSC deadline; 0 for a poll without a timeout.
    var deadline: UInt64 = 0
    /// nanosleep: the user's `rem` (0: none); poll: the pollfd array.
    var address: UInt64 = 0
    /// poll: nfds.
    var count: UInt64 = 0
}
