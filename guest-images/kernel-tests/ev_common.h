/*
 * Shared by the ev_*.c differential programs (issue 12: event files):
 * proc_common.h's output helpers plus the errno names those programs meet.
 */
#include "proc_common.h"

static inline const char *en(int e) {
    switch (e) {
    case EEXIST: return "EEXIST"; case ELOOP: return "ELOOP"; case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE"; case ENOTTY: return "ENOTTY";
    default: return ename(e);
    }
}

/* "-1 ENAME" or the value, with en()'s names. */
static inline const char *rv(long r) {
    static char b[8][64];
    static int i;
    char *p = b[i++ & 7];
    if (r < 0) snprintf(p, 64, "-1 %s", en(errno));
    else snprintf(p, 64, "%ld", r);
    return p;
}

/* Milliseconds since `t0` (now()), for "waited at least" lines. */
static inline long ms_since(double t0) { return (long)((now() - t0) * 1000); }
