/* Every signal at its default action and none blocked, as a login shell
 * starts its commands. The host half of a differential test needs it: the
 * swift-test runner's threads block signals and may leave some ignored, and
 * a child inherits both across exec (signal(7), execve(2)); the guest's init
 * has none. SIGKILL and SIGSTOP cannot be changed; numbers a libc reserves
 * for itself (glibc's 32 and 33) fail with EINVAL, which is ignored. */
#ifndef DEFAULT_SIGNALS_H
#define DEFAULT_SIGNALS_H
#include <signal.h>
#include <string.h>

static inline void default_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int s = 1; s < 65; s++) if (s != SIGKILL && s != SIGSTOP) sigaction(s, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}
#endif
