/*
 * Shared by the ipc_*.c differential programs (issue 12: locks and AF_UNIX
 * sockets): proc_common.h plus the errno names those calls add.
 */
#include "proc_common.h"

static inline const char *ipc_ename(int e) {
    switch (e) {
    case ENXIO: return "ENXIO"; case EDEADLK: return "EDEADLK"; case ENOLCK: return "ENOLCK"; case EOVERFLOW: return "EOVERFLOW";
    case ENOTSOCK: return "ENOTSOCK"; case EDESTADDRREQ: return "EDESTADDRREQ"; case EMSGSIZE: return "EMSGSIZE";
    case EPROTOTYPE: return "EPROTOTYPE"; case ENOPROTOOPT: return "ENOPROTOOPT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT"; case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP"; case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE"; case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ECONNABORTED: return "ECONNABORTED"; case ECONNRESET: return "ECONNRESET"; case ENOBUFS: return "ENOBUFS";
    case EISCONN: return "EISCONN"; case ENOTCONN: return "ENOTCONN"; case ETOOMANYREFS: return "ETOOMANYREFS";
    case ECONNREFUSED: return "ECONNREFUSED"; case EEXIST: return "EEXIST"; case ENOTEMPTY: return "ENOTEMPTY";
    case EMFILE: return "EMFILE"; case ENFILE: return "ENFILE"; case ESPIPE: return "ESPIPE"; case EROFS: return "EROFS";
    default: return ename(e);
    }
}

/* "-1 ENAME" or the value. */
static inline const char *r(long v) {
    static char b[8][64];
    static int i;
    char *p = b[i++ & 7];
    if (v < 0) snprintf(p, 64, "-1 %s", ipc_ename(errno));
    else snprintf(p, 64, "%ld", v);
    return p;
}
