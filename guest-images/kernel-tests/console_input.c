/* Console input (issue 13): stdin read line by line as a pipe, run with the
 * same input on the host (`prog < pipe`) and in the guest (vmm run's stdin):
 * the output must match line for line. Also what a program sees of a piped
 * stdin: not a tty, a FIFO, poll at EOF, read after EOF. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

int main(void) {
    struct stat st;
    printf("isatty(0)=%d\n", isatty(0));
    struct termios t;
    int r = tcgetattr(0, &t);
    printf("tcgetattr(0)=%d errno=%s\n", r, r ? strerror(errno) : "-");
    printf("fstat(0) ok=%d fifo=%d\n", fstat(0, &st) == 0, S_ISFIFO(st.st_mode));
    char line[512];
    long n = 0, bytes = 0;
    while (fgets(line, sizeof line, stdin)) {
        n++;
        bytes += (long)strlen(line);
        if (n <= 20 || n % 1000 == 0) printf("%ld: %s", n, line);
    }
    printf("eof after %ld lines, %ld bytes, ferror=%d\n", n, bytes, ferror(stdin));
    char c;
    printf("read after eof=%zd\n", read(0, &c, 1));
    struct pollfd p = { .fd = 0, .events = POLLIN };
    int pr = poll(&p, 1, 1000);
    printf("poll at eof=%d in=%d hup=%d\n", pr, !!(p.revents & POLLIN), !!(p.revents & POLLHUP));
    return 0;
}
