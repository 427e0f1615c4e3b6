/* exec_clean PROGRAM [ARGS...]: runs PROGRAM with every signal at its
 * default action and none blocked, as a login shell starts its commands.
 * The host half of a differential test needs it when its parent is a test
 * runner whose threads block signals (libdispatch's do): a child inherits
 * the mask, and sh cannot trap or even wait as it would (POSIX sh cannot
 * trap a signal ignored on entry, and a blocked SIGCHLD stalls `wait`). */
#include <stdio.h>
#include <unistd.h>
#include "default_signals.h"

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: exec_clean PROGRAM [ARGS...]\n"); return 64; }
    default_signals();
    execv(argv[1], argv + 1);
    perror(argv[1]);
    return 127;
}
