/*
 * AF_UNIX sockets between processes (issue 12): stream, datagram and
 * seqpacket pairs, a named server and client in two processes, datagrams to
 * a name, SCM_RIGHTS, shutdown, poll readiness, socket options and the
 * errors. Paths and pids are never printed, only whether they match.
 */
#include "ipc_common.h"
#include <poll.h>
#include <sys/socket.h>
#include <stddef.h>
#include <sys/un.h>

static char dir[64];

static const char *pollbits(int fd) {
    static char b[4][64];
    static int i;
    char *p = b[i++ & 3];
    struct pollfd q = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };
    int n = poll(&q, 1, 0);
    snprintf(p, 64, "%d:%s%s%s%s%s", n, q.revents & POLLIN ? " IN" : "", q.revents & POLLOUT ? " OUT" : "",
             q.revents & POLLHUP ? " HUP" : "", q.revents & POLLRDHUP ? " RDHUP" : "", q.revents & POLLERR ? " ERR" : "");
    return p;
}

static int iopt(int fd, int opt) {
    int v = -7;
    socklen_t l = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, opt, &v, &l) != 0) return -1000 - errno;
    return v;
}

static void stream_pair(void) {
    int sv[2];
    say("socketpair stream: %s\n", r(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)));
    write(sv[0], "ping", 4);
    write(sv[0], "pong", 4);
    char b[100];
    long n = read(sv[1], b, sizeof b);
    say("two writes, one read: %ld bytes \"%.*s\"\n", n, (int)(n > 0 ? n : 0), b);
    say("poll empty: %s\n", pollbits(sv[1]));
    send(sv[1], "abc", 3, 0);
    say("poll with data: %s\n", pollbits(sv[0]));
    say("recv MSG_PEEK: %s\n", r(recv(sv[0], b, 2, MSG_PEEK)));
    say("recv: %s \"%.3s\"\n", r(recv(sv[0], b, 10, 0)), b);
    say("recv MSG_DONTWAIT empty: %s\n", r(recv(sv[0], b, 10, MSG_DONTWAIT)));
    /* 200 KiB through the pair: a child writes, the parent reads. */
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[1]);
        static char big[200000];
        for (int i = 0; i < (int)sizeof big; i++) big[i] = (char)(i * 7);
        say("child wrote %ld\n", write_full(sv[0], big, sizeof big));
        _exit(0);
    }
    close(sv[0]);
    static char got[200000];
    long g = read_full(sv[1], got, sizeof got);
    int bad = 0;
    for (int i = 0; i < g; i++) bad += got[i] != (char)(i * 7);
    reap(pid);
    say("parent read %ld, %d wrong; then EOF: %s\n", g, bad, r(read(sv[1], b, 10)));
    say("poll after the peer closed: %s\n", pollbits(sv[1]));
    signal(SIGPIPE, SIG_IGN);
    say("write after the peer closed (SIGPIPE ignored): %s\n", r(write(sv[1], "x", 1)));
    say("send MSG_NOSIGNAL: %s\n", r(send(sv[1], "x", 1, MSG_NOSIGNAL)));
    signal(SIGPIPE, SIG_DFL);
    pid = fork();
    if (pid == 0) { write(sv[1], "x", 1); _exit(0); }
    say("writer with SIGPIPE default: %s\n", status_text(reap(pid)));
    pid = fork();
    if (pid == 0) { send(sv[1], "x", 1, MSG_NOSIGNAL); _exit(0); }
    say("writer with MSG_NOSIGNAL: %s\n", status_text(reap(pid)));
    close(sv[1]);
}

static void dgram_pair(int type, const char *name) {
    int sv[2];
    say("socketpair %s: %s\n", name, r(socketpair(AF_UNIX, type, 0, sv)));
    send(sv[0], "a", 1, 0);
    send(sv[0], "bbbbb", 5, 0);
    send(sv[0], "cccccccccc", 10, 0);
    send(sv[0], "", 0, 0);
    char b[100];
    say("recv 1: %s\n", r(recv(sv[1], b, sizeof b, 0)));
    say("recv 2 peek: %s\n", r(recv(sv[1], b, sizeof b, MSG_PEEK)));
    say("recv 2: %s\n", r(recv(sv[1], b, sizeof b, 0)));
    struct iovec iov = { b, 3 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    long n = recvmsg(sv[1], &m, 0);
    say("recvmsg 3 into 3 bytes: %s, MSG_TRUNC %s\n", r(n), yes(m.msg_flags & MSG_TRUNC));
    say("recv empty datagram: %s\n", r(recv(sv[1], b, sizeof b, 0)));
    send(sv[0], "dddddddd", 8, 0);
    say("recv MSG_TRUNC into 2 bytes: %s\n", r(recv(sv[1], b, 2, MSG_TRUNC)));
    say("recv DONTWAIT empty: %s\n", r(recv(sv[1], b, sizeof b, MSG_DONTWAIT)));
    /* Two iovecs make one message. */
    struct iovec two[2] = { { "12", 2 }, { "345", 3 } };
    struct msghdr mm = { .msg_iov = two, .msg_iovlen = 2 };
    long sent = sendmsg(sv[0], &mm, 0);
    say("sendmsg of 2 iovecs: %s\n", r(sent));
    say("recv: %s\n", r(recv(sv[1], b, sizeof b, 0)));
    static char huge[300000];
    say("send of 300000 bytes: %s\n", r(send(sv[0], huge, sizeof huge, 0)));
    close(sv[0]);
    if (type == SOCK_SEQPACKET) say("recv after the peer closed: %s\n", r(recv(sv[1], b, sizeof b, 0)));
    else say("recv after the peer closed, DONTWAIT: %s\n", r(recv(sv[1], b, sizeof b, MSG_DONTWAIT)));
    close(sv[1]);
}

static void flags_and_options(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
    say("SOCK_NONBLOCK: %s, SOCK_CLOEXEC: %s\n", yes(fcntl(sv[0], F_GETFL) & O_NONBLOCK), yes(fcntl(sv[1], F_GETFD) & FD_CLOEXEC));
    char b[8];
    say("nonblocking read: %s\n", r(read(sv[0], b, 8)));
    struct stat st;
    fstat(sv[0], &st);
    say("fstat: socket %s\n", yes(S_ISSOCK(st.st_mode)));
    say("lseek: %s\n", r(lseek(sv[0], 0, SEEK_SET)));
    say("SO_TYPE %d SO_DOMAIN %d SO_PROTOCOL %d SO_ERROR %d SO_ACCEPTCONN %d\n", iopt(sv[0], SO_TYPE),
        iopt(sv[0], SO_DOMAIN), iopt(sv[0], SO_PROTOCOL), iopt(sv[0], SO_ERROR), iopt(sv[0], SO_ACCEPTCONN));
    say("SO_SNDBUF default %d, SO_RCVBUF default %d\n", iopt(sv[0], SO_SNDBUF), iopt(sv[0], SO_RCVBUF));
    int v = 10000;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    say("after setting 10000: SO_SNDBUF %d SO_RCVBUF %d\n", iopt(sv[0], SO_SNDBUF), iopt(sv[0], SO_RCVBUF));
    v = 1;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    say("after setting 1: SO_SNDBUF %d SO_RCVBUF %d\n", iopt(sv[0], SO_SNDBUF), iopt(sv[0], SO_RCVBUF));
    v = 1;
    say("SO_REUSEADDR before %d\n", iopt(sv[0], SO_REUSEADDR));
    say("set: %s\n", r(setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof v)));
    say("after: %d\n", iopt(sv[0], SO_REUSEADDR));
    say("SO_PASSCRED set %s\n", r(setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, sizeof v)));
    say("after: %d\n", iopt(sv[0], SO_PASSCRED));
    say("setsockopt 1-byte value: %s\n", r(setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, 1)));
    say("setsockopt SO_TYPE: %s\n", r(setsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, sizeof v)));
    say("setsockopt unknown option 9999: %s\n", r(setsockopt(sv[0], SOL_SOCKET, 9999, &v, sizeof v)));
    say("getsockopt unknown option 9999: %d\n", iopt(sv[0], 9999));
    say("setsockopt bad pointer: %s\n", r(setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, (void *)8, 4)));
    say("setsockopt on a pipe: %s\n", r(setsockopt(0 > 1 ? 0 : open("/dev/null", O_RDONLY), SOL_SOCKET, SO_REUSEADDR, &v, 4)));
    say("getsockopt bad fd: %d\n", iopt(99, SO_TYPE));
    int w = -1;
    socklen_t l = 2;
    say("getsockopt SO_TYPE into 2 bytes: %s, len %u\n", r(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &w, &l)), (unsigned)l);
    l = (socklen_t)-1;
    say("getsockopt negative len: %s\n", r(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &w, &l)));
    struct ucred cred;
    l = sizeof cred;
    say("SO_PEERCRED: %s, length %u\n", r(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &l)), (unsigned)l);
    close(sv[0]); close(sv[1]);
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("dgram SO_TYPE %d\n", iopt(s, SO_TYPE));
    close(s);
    s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    say("seqpacket SO_TYPE %d\n", iopt(s, SO_TYPE));
    close(s);
    /* Errors of socket/socketpair. */
    say("socket family 9999: %s\n", r(socket(9999, SOCK_STREAM, 0)));
    say("socket family 46: %s\n", r(socket(46, SOCK_STREAM, 0)));
    say("socket AF_UNIX type 99: %s\n", r(socket(AF_UNIX, 99, 0)));
    say("socket AF_UNIX protocol 5: %s\n", r(socket(AF_UNIX, SOCK_STREAM, 5)));
    say("socket bad flags: %s\n", r(socket(AF_UNIX, SOCK_STREAM | 0x40000000, 0)));
    say("socketpair AF_INET: %s\n", r(socketpair(AF_INET, SOCK_STREAM, 0, sv)));
    int *badp = (int *)(long)(getpid() < 0 ? 0 : 8);
    say("socketpair bad pointer: %s\n", r(socketpair(AF_UNIX, SOCK_STREAM, 0, badp)));
    say("socket SOCK_RAW is datagram: %d\n", iopt(s = socket(AF_UNIX, SOCK_RAW, 0), SO_TYPE));
    close(s);
}

static void shutdowns(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "data", 4);
    say("shutdown SHUT_WR: %s\n", r(shutdown(sv[0], SHUT_WR)));
    char b[10];
    say("peer reads the data: %s\n", r(read(sv[1], b, 10)));
    say("then EOF: %s\n", r(read(sv[1], b, 10)));
    say("poll of the peer: %s\n", pollbits(sv[1]));
    say("poll of the shut side: %s\n", pollbits(sv[0]));
    say("write on the shut side: %s\n", r(send(sv[0], "x", 1, MSG_NOSIGNAL)));
    say("the peer can still write: %s\n", r(write(sv[1], "yz", 2)));
    say("read back: %s\n", r(read(sv[0], b, 10)));
    say("shutdown SHUT_RD on the peer side... SHUT_RDWR: %s\n", r(shutdown(sv[1], SHUT_RDWR)));
    say("poll after both: %s\n", pollbits(sv[0]));
    say("shutdown bad how: %s\n", r(shutdown(sv[0], 7)));
    say("shutdown of a non-socket: %s\n", r(shutdown(1, SHUT_RD)));
    close(sv[0]); close(sv[1]);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    say("shutdown unconnected: %s\n", r(shutdown(s, SHUT_RD)));
    say("read unconnected stream: %s\n", r(read(s, b, 1)));
    say("write unconnected stream: %s\n", r(send(s, b, 1, MSG_NOSIGNAL)));
    say("getpeername unconnected: %s\n", r(getpeername(s, (struct sockaddr *)b, &(socklen_t){10})));
    close(s);
}

static socklen_t addr_of(struct sockaddr_un *a, const char *name) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", dir, name);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path));    /* SUN_LEN: no NUL */
}

/* The server's lines while it serves: kept, printed when the client is done. */
static char later[4096];
static int later_len;
#define keep(...) (later_len += snprintf(later + later_len, sizeof later - later_len, __VA_ARGS__))

static void named(void) {
    struct sockaddr_un a, got;
    socklen_t len = addr_of(&a, "server");
    int ready[2], finished[2];
    pipe(ready); pipe(finished);
    pid_t pid = fork();
    if (pid == 0) {                                             /* the server */
        close(ready[0]); close(finished[1]);
        int l = socket(AF_UNIX, SOCK_STREAM, 0);
        say("server: bind: %s\n", r(bind(l, (struct sockaddr *)&a, len)));
        struct stat st;
        say("server: stat of the name: socket %s\n", yes(stat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode)));
        say("server: open of the name: %s\n", r(open(a.sun_path, O_RDONLY)));
        int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
        say("server: second bind to the name: %s\n", r(bind(l2, (struct sockaddr *)&a, len)));
        say("server: bind again: %s\n", r(bind(l, (struct sockaddr *)&a, len)));
        say("server: listen unbound: %s\n", r(listen(l2, 5)));
        close(l2);
        say("server: accept before listen: %s\n", r(accept(l, NULL, NULL)));
        say("server: listen: %s\n", r(listen(l, 5)));
        socklen_t gl = sizeof got;
        getsockname(l, (struct sockaddr *)&got, &gl);
        say("server: getsockname: length is len+1: %s, path matches %s\n", yes(gl == len + 1), yes(strcmp(got.sun_path, a.sun_path) == 0));
        write(ready[1], "x", 1);
        for (int k = 0; k < 2; k++) {
            gl = sizeof got;
            int c = accept4(l, (struct sockaddr *)&got, &gl, SOCK_CLOEXEC);
            keep("server: accept4: %s, peer address length %u, cloexec %s\n", c >= 0 ? "ok" : r(c), (unsigned)gl,
                yes(fcntl(c, F_GETFD) & FD_CLOEXEC));
            char b[64];
            long n = read(c, b, sizeof b);
            keep("server: request \"%.*s\"\n", (int)(n > 0 ? n : 0), b);
            gl = sizeof got;
            getsockname(c, (struct sockaddr *)&got, &gl);
            keep("server: accepted socket's name matches: %s\n", yes(strcmp(got.sun_path, a.sun_path) == 0));
            write(c, "reply", 5);
            close(c);
        }
        close(l);
        char c;
        read(finished[0], &c, 1);
        say("%s", later);
        _exit(0);
    }
    close(ready[1]); close(finished[0]);
    char c;
    read(ready[0], &c, 1);
    int early = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un none;
    socklen_t nl = addr_of(&none, "nothing");
    say("client: connect to a missing name: %s\n", r(connect(early, (struct sockaddr *)&none, nl)));
    close(early);
    for (int k = 0; k < 2; k++) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        say("client: connect: %s\n", r(connect(s, (struct sockaddr *)&a, len)));
        say("client: connect again: %s\n", r(connect(s, (struct sockaddr *)&a, len)));
        socklen_t gl = sizeof got;
        getpeername(s, (struct sockaddr *)&got, &gl);
        say("client: getpeername matches: %s\n", yes(strcmp(got.sun_path, a.sun_path) == 0));
        gl = sizeof got;
        getsockname(s, (struct sockaddr *)&got, &gl);
        say("client: getsockname length %u\n", (unsigned)gl);
        write(s, k ? "second" : "first", k ? 6 : 5);
        char b[64];
        long n = read(s, b, sizeof b);
        say("client: reply \"%.*s\"\n", (int)(n > 0 ? n : 0), b);
        say("client: then EOF: %s\n", r(read(s, b, sizeof b)));
        close(s);
    }
    write(finished[1], "x", 1);
    say("server %s\n", status_text(reap(pid)));
    close(ready[0]); close(finished[1]);
    /* The name stays after the server is gone: nobody listens. */
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    say("connect after the server closed: %s\n", r(connect(s, (struct sockaddr *)&a, len)));
    say("unlink the name: %s\n", r(unlink(a.sun_path)));
    say("connect after unlink: %s\n", r(connect(s, (struct sockaddr *)&a, len)));
    int fd = open(a.sun_path, O_CREAT | O_WRONLY, 0644);
    close(fd);
    say("connect to a regular file: %s\n", r(connect(s, (struct sockaddr *)&a, len)));
    unlink(a.sun_path);
    close(s);
    struct sockaddr_un bad = { .sun_family = AF_INET };
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    say("bind wrong family: %s\n", r(bind(s, (struct sockaddr *)&bad, sizeof bad)));
    say("bind length 1: %s\n", r(bind(s, (struct sockaddr *)&a, 1)));
    say("bind length 200: %s\n", r(bind(s, (struct sockaddr *)&a, 200)));
    say("bind in a missing directory: %s\n", r(bind(s, (struct sockaddr *)&a, addr_of(&a, "no/such"))));
    say("connect bad pointer: %s\n", r(connect(s, (struct sockaddr *)8, 20)));
    say("accept on a non-listening socket: %s\n", r(accept(s, NULL, NULL)));
    say("listen on a pipe: %s\n", r(listen(1, 1)));
    close(s);
    /* Abstract names, and autobind. */
    struct sockaddr_un ab = { .sun_family = AF_UNIX };
    memcpy(ab.sun_path, "\0ipc-abstract-test", 18);
    socklen_t al = offsetof(struct sockaddr_un, sun_path) + 18;
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    say("bind abstract: %s\n", r(bind(l, (struct sockaddr *)&ab, al)));
    say("listen: %s\n", r(listen(l, 1)));
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    say("connect abstract: %s\n", r(connect(s, (struct sockaddr *)&ab, al)));
    int acc = accept(l, NULL, NULL);
    say("accept abstract: %s\n", acc >= 0 ? "ok" : r(acc));
    close(acc); close(s); close(l);
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un fam = { .sun_family = AF_UNIX };
    say("autobind: %s\n", r(bind(s, (struct sockaddr *)&fam, offsetof(struct sockaddr_un, sun_path))));
    socklen_t gl = sizeof got;
    getsockname(s, (struct sockaddr *)&got, &gl);
    say("autobound name: length %u, abstract %s\n", (unsigned)gl, yes(got.sun_path[0] == 0));
    close(s);
}

static void datagrams(void) {
    struct sockaddr_un a, from;
    socklen_t len = addr_of(&a, "dgram");
    int srv = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("dgram bind: %s\n", r(bind(srv, (struct sockaddr *)&a, len)));
    int cl = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("sendto: %s\n", r(sendto(cl, "hello", 5, 0, (struct sockaddr *)&a, len)));
    char b[64];
    socklen_t fl = sizeof from;
    say("recvfrom: %s, sender address length %u\n", r(recvfrom(srv, b, sizeof b, 0, (struct sockaddr *)&from, &fl)), (unsigned)fl);
    struct sockaddr_un ca;
    socklen_t cal = addr_of(&ca, "dgram-client");
    bind(cl, (struct sockaddr *)&ca, cal);
    sendto(cl, "again", 5, 0, (struct sockaddr *)&a, len);
    fl = sizeof from;
    recvfrom(srv, b, sizeof b, 0, (struct sockaddr *)&from, &fl);
    say("bound sender: address length is len+1: %s, path matches %s\n", yes(fl == cal + 1), yes(strcmp(from.sun_path, ca.sun_path) == 0));
    say("send unconnected: %s\n", r(send(cl, "x", 1, 0)));
    say("connect: %s\n", r(connect(cl, (struct sockaddr *)&a, len)));
    say("send: %s\n", r(send(cl, "xyz", 3, 0)));
    say("recv: %s\n", r(recv(srv, b, sizeof b, 0)));
    int other = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("connect srv to the client: %s\n", r(connect(srv, (struct sockaddr *)&ca, cal)));
    say("a third sends to srv: %s\n", r(sendto(other, "no", 2, 0, (struct sockaddr *)&a, len)));
    int st = socket(AF_UNIX, SOCK_STREAM, 0);
    say("stream connect to a datagram name: %s\n", r(connect(st, (struct sockaddr *)&a, len)));
    say("sendto on a stream socket: %s\n", r(sendto(st, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, len)));
    close(st); close(other);
    close(srv);
    say("send after the receiver closed: %s\n", r(send(cl, "x", 1, 0)));
    close(cl);
    unlink(a.sun_path);
    unlink(ca.sun_path);
}

static int send_fds(int s, const int *fds, int n, const char *data) {
    char ctl[CMSG_SPACE(sizeof(int) * 300)];
    memset(ctl, 0, sizeof ctl);
    struct iovec iov = { (void *)data, strlen(data) };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    return syscall(SYS_sendmsg, s, &m, MSG_NOSIGNAL);      /* not musl's sendmsg, which copies big controls */
}

static int recv_fds(int s, int *fds, int max, int *count, int *flags, char *data) {
    char ctl[CMSG_SPACE(sizeof(int) * 8)];
    struct iovec iov = { data, 63 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = CMSG_SPACE(sizeof(int) * max) };
    int n = recvmsg(s, &m, 0);
    *count = 0;
    *flags = m.msg_flags;
    if (n >= 0) data[n] = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            memcpy(fds + *count, CMSG_DATA(c), sizeof(int) * k);
            *count += k;
        }
    return n;
}

static void rights(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    char path[80];
    snprintf(path, sizeof path, "%s/rights-file", dir);
    int file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(file, "file contents", 13);
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]); close(p[0]); close(p[1]); close(file);
        int fds[8], n, fl;
        char data[64];
        int got = recv_fds(sv[1], fds, 8, &n, &fl, data);
        say("child: recvmsg %d bytes \"%s\", %d descriptors, MSG_CTRUNC %s\n", got, data, n, yes(fl & MSG_CTRUNC));
        if (n == 2) {
            char b[32] = {0};
            pread(fds[0], b, 13, 0);
            say("child: the file reads \"%s\"\n", b);
            write(fds[1], "through the pipe", 16);
        }
        got = recv_fds(sv[1], fds, 1, &n, &fl, data);
        say("child: second recvmsg %d bytes, %d descriptors, MSG_CTRUNC %s\n", got, n, yes(fl & MSG_CTRUNC));
        got = read(sv[1], data, 63);
        say("child: plain read of a message with descriptors: %d\n", got);
        _exit(0);
    }
    close(sv[1]);
    /* The parent's lines wait for the child's end: both print as they go otherwise. */
    int two[2] = { file, p[1] };
    long s1 = send_fds(sv[0], two, 2, "here");
    int e1 = errno;
    close(p[1]);
    close(file);
    char b[32] = {0};
    long got = read_full(p[0], b, 16);
    int three[3] = { 0, 1, 2 };
    long s2 = send_fds(sv[0], three, 3, "more");
    int e2 = errno;
    long s3 = send_fds(sv[0], three, 1, "plain");
    int e3 = errno;
    reap(pid);
    errno = e1; say("sendmsg 2 descriptors: %s\n", r(s1));
    say("parent read the child's pipe write: %ld \"%s\"\n", got, b);
    errno = e2; say("sendmsg 3 to a receiver with room for 1: %s\n", r(s2));
    errno = e3; say("sendmsg with descriptors to read(): %s\n", r(s3));
    close(sv[0]);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    int many[254];
    for (int i = 0; i < 254; i++) many[i] = 0;
    say("sendmsg 254 descriptors: %s\n", r(send_fds(sv[0], many, 254, "x")));
    say("sendmsg 253 descriptors: %s\n", r(send_fds(sv[0], many, 253, "x")));
    int badfd = 77;
    say("sendmsg a bad descriptor: %s\n", r(send_fds(sv[0], &badfd, 1, "x")));
    char ctl[16] = {0};
    struct iovec iov = { "x", 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = 8 };
    say("sendmsg with an 8-byte control: %s\n", r(syscall(SYS_sendmsg, sv[0], &m, 0)));
    m.msg_controllen = 1 << 20;
    say("sendmsg with a 1 MiB control: %s\n", r(syscall(SYS_sendmsg, sv[0], &m, 0)));
    m.msg_control = NULL; m.msg_controllen = 0; m.msg_iovlen = 2000;
    say("sendmsg with 2000 iovecs: %s\n", r(syscall(SYS_sendmsg, sv[0], &m, MSG_NOSIGNAL)));
    char rb[8];
    int k = 0;
    while (recv(sv[1], rb, sizeof rb, MSG_DONTWAIT) >= 0) k++;
    say("datagrams that arrived: %d\n", k);
    close(p[0]); close(sv[0]); close(sv[1]);
    unlink(path);
}

int main(void) {
    proc_setup();
    snprintf(dir, sizeof dir, "/tmp/ipc_sockets.%d", (int)getpid());
    mkdir(dir, 0755);
    stream_pair();
    dgram_pair(SOCK_DGRAM, "dgram");
    dgram_pair(SOCK_SEQPACKET, "seqpacket");
    flags_and_options();
    shutdowns();
    named();
    datagrams();
    rights();
    rmdir(dir);
    say("done\n");
    return 0;
}
