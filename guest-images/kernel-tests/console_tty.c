/* The termios and job-control calls a shell makes on its terminal (fd 1:
 * the guest's console, the host's pty under script(1)), as booleans and
 * fixed values: tcgetattr/tcsetattr, TIOCGWINSZ, tcgetpgrp/tcsetpgrp,
 * tcgetsid, and their errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static void say(const char *what, int r) { printf("%s=%d%s%s\n", what, r < 0 ? -1 : r, r < 0 ? " " : "", r < 0 ? strerror(errno) : ""); }

int main(void) {
    int fd = 1;
    printf("isatty=%d\n", isatty(fd));
    struct termios t, u;
    say("tcgetattr", tcgetattr(fd, &t));
    printf("icanon=%d echo=%d isig=%d vintr=%d veof=%d vmin=%d\n", !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO),
           !!(t.c_lflag & ISIG), t.c_cc[VINTR], t.c_cc[VEOF], t.c_cc[VMIN]);
    u = t;
    u.c_lflag &= ~(ICANON | ECHO);
    u.c_cc[VMIN] = 1;
    say("tcsetattr raw", tcsetattr(fd, TCSADRAIN, &u));
    struct termios v;
    tcgetattr(fd, &v);
    printf("raw now icanon=%d echo=%d\n", !!(v.c_lflag & ICANON), !!(v.c_lflag & ECHO));
    say("tcsetattr back", tcsetattr(fd, TCSANOW, &t));
    tcgetattr(fd, &v);
    printf("back icanon=%d echo=%d\n", !!(v.c_lflag & ICANON), !!(v.c_lflag & ECHO));
    struct winsize w;
    say("TIOCGWINSZ", ioctl(fd, TIOCGWINSZ, &w));
    pid_t pg = tcgetpgrp(fd);
    printf("tcgetpgrp==getpgrp %d\n", pg == getpgrp());
    printf("tcgetsid==getsid %d\n", tcgetsid(fd) == getsid(0));
    say("tcsetpgrp own", tcsetpgrp(fd, getpgrp()));
    say("tcsetpgrp none", tcsetpgrp(fd, 999999));
    say("tcsetpgrp negative", tcsetpgrp(fd, -5));
    say("tcflush in", tcflush(fd, TCIFLUSH));
    say("tcdrain", tcdrain(fd));
    int avail = -1;
    say("FIONREAD", ioctl(fd, FIONREAD, &avail));
    printf("FIONREAD value=%d\n", avail);
    return 0;
}
