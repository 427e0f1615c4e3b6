/*
 * getdents64(2), getdents(2) and readdir(3) over a directory under /tmp
 * (issue 14: tmpfs's per-directory child lists and stable offsets): every
 * name exactly once at several buffer sizes, d_type, resuming at a record's
 * d_off, the dots of an empty directory and their inodes, EINVAL, ENOTDIR,
 * EBADF, EFAULT, and names removed while the directory is being read (rm -r's pattern:
 * readdir(3) says each entry neither removed nor added is returned once).
 * Only totals are printed: the order of names is the file system's own.
 */
#include "ev_common.h"
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define FILES 150
#define SUB FILES                       /* seen[] index of the subdirectory */
#define LINK (FILES + 1)                /* and of the symbolic link */

struct d64 { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; };
struct d32 { unsigned long ino; unsigned long off; unsigned short reclen; char name[]; };  /* d_type: last byte */

static char dir[64];
static int seen[FILES + 2], dots, bad_types, records;
static char buf[65536] __attribute__((aligned(8)));

static void name_of(int i, char *out, size_t n)
{
    int k = snprintf(out, n, "f%03d-", i);
    for (int j = 0; j < i % 37 && k + 1 < (int)n; j++) out[k++] = 'x';
    out[k] = 0;
}

static void path_of(const char *name, char *out, size_t n) { snprintf(out, n, "%s/%s", dir, name); }

/* seen[] index of a name in the directory; -2 for the dots, -1 for anything else. */
static int which(const char *name)
{
    if (!strcmp(name, ".") || !strcmp(name, "..")) return -2;
    if (!strcmp(name, "sub")) return SUB;
    if (!strcmp(name, "link")) return LINK;
    int i;
    char want[64];
    if (sscanf(name, "f%3d-", &i) != 1 || i < 0 || i >= FILES) return -1;
    name_of(i, want, sizeof want);
    return strcmp(want, name) ? -1 : i;
}

static void count(const char *name, int type)
{
    records++;
    int i = which(name);
    if (i == -2) { dots++; if (type != DT_DIR) bad_types++; return; }
    if (i < 0) { bad_types++; return; }
    seen[i]++;
    int want = i == SUB ? DT_DIR : i == LINK ? DT_LNK : DT_REG;
    if (type != want) bad_types++;
}

static void reset(void) { memset(seen, 0, sizeof seen); dots = bad_types = records = 0; }

static int all_once(int upto)
{
    for (int i = 0; i < upto; i++) if (seen[i] != 1) return 0;
    return 1;
}

/* One getdents64 (legacy: getdents) call of `size` bytes, its records counted;
 * the call's result. `second_off` gets the second record's d_off if asked. */
static long batch(int fd, size_t size, int legacy, long *second_off)
{
    long n = syscall(legacy ? SYS_getdents : SYS_getdents64, fd, buf, size);
    int k = 0;
    for (long at = 0; at < n; k++) {
        if (legacy) {
            struct d32 *d = (struct d32 *)(buf + at);
            count(d->name, (unsigned char)buf[at + d->reclen - 1]);
            if (k == 1 && second_off) *second_off = (long)d->off;
            at += d->reclen;
        } else {
            struct d64 *d = (struct d64 *)(buf + at);
            count(d->name, d->type);
            if (k == 1 && second_off) *second_off = (long)d->off;
            at += d->reclen;
        }
    }
    return n;
}

/* d_ino of `which` ("." or "..") in directory `at`, by getdents64. */
static uint64_t dot_ino(const char *at, const char *which)
{
    int fd = open(at, O_RDONLY | O_DIRECTORY);
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    close(fd);
    for (long off = 0; off < n;) {
        struct d64 *d = (struct d64 *)(buf + off);
        if (!strcmp(d->name, which)) return d->ino;
        off += d->reclen;
    }
    return 0;
}

static void list(size_t size, int legacy)
{
    reset();
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    long n;
    while ((n = batch(fd, size, legacy, NULL)) > 0) {}
    printf("%s %zu: result %s dots %d names once %d types ok %d records %d\n", legacy ? "getdents" : "getdents64",
           size, rv(n), dots, all_once(FILES + 2), bad_types == 0, records);
    close(fd);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(dir, sizeof dir, "/tmp/fs_dirents.%d", (int)getpid());
    printf("mkdir: %s\n", rv(mkdir(dir, 0755)));

    /* An empty directory: the dots only. */
    reset();
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    long n = batch(fd, sizeof buf, 0, NULL);
    printf("empty: %ld bytes, dots %d, again %s\n", n, dots, rv(batch(fd, sizeof buf, 0, NULL)));
    close(fd);

    char name[64], path[128];
    int made = 0;
    for (int i = 0; i < FILES; i++) {
        name_of(i, name, sizeof name); path_of(name, path, sizeof path);
        int f = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (f >= 0) { made++; close(f); }
    }
    path_of("sub", path, sizeof path);
    printf("files %d, mkdir sub %s", made, rv(mkdir(path, 0755)));
    path_of("link", path, sizeof path);
    printf(", symlink %s\n", rv(symlink("sub", path)));

    /* ".." is the parent directory (its d_ino is stat's st_ino of it). */
    struct stat parent, mine;
    stat("/tmp", &parent);
    stat(dir, &mine);
    path_of("sub", path, sizeof path);
    printf("dots' inodes: %d %d %d\n", dot_ino(dir, "..") == parent.st_ino, dot_ino(dir, ".") == mine.st_ino,
           dot_ino(path, "..") == mine.st_ino);

    list(sizeof buf, 0);
    list(200, 0);
    list(4096, 0);
    list(300, 1);
    reset();
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d))) count(e->d_name, e->d_type);
    printf("readdir: dots %d names once %d types ok %d\n", dots, all_once(FILES + 2), bad_types == 0);
    closedir(d);

    /* Resuming at the second record's d_off skips exactly the first two. */
    reset();
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    long second = -1;
    batch(fd, 200, 0, &second);
    reset();
    printf("lseek to the second's d_off: %d", lseek(fd, second, SEEK_SET) == second);
    while (batch(fd, 200, 0, NULL) > 0) {}
    printf(", then %d records\n", records);
    printf("rewind: %s", rv(lseek(fd, 0, SEEK_SET)));
    reset();
    while (batch(fd, 1024, 0, NULL) > 0) {}
    printf(", then %d records\n", records);

    lseek(fd, 0, SEEK_SET);
    printf("buffer of 10: %s\n", rv(syscall(SYS_getdents64, fd, buf, 10)));
    lseek(fd, 0, SEEK_SET);
    printf("buffer of 24: %s\n", rv(syscall(SYS_getdents64, fd, buf, 24)));
    printf("bad buffer: %s\n", rv(syscall(SYS_getdents64, fd, (void *)8, 4096)));
    close(fd);
    printf("closed fd: %s\n", rv(syscall(SYS_getdents64, fd, buf, 4096)));
    path_of("f000-", path, sizeof path);
    fd = open(path, O_RDONLY);
    printf("regular file: %s\n", rv(syscall(SYS_getdents64, fd, buf, 4096)));
    close(fd);
    printf("rmdir not empty: %s\n", rmdir(dir) == -1 && errno == ENOTEMPTY ? "ENOTEMPTY" : "not ENOTEMPTY");

    /* rm -r's pattern: each name unlinked as soon as a small batch returns it. */
    reset();
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    int removed = 0;
    while ((n = syscall(SYS_getdents64, fd, buf, 512)) > 0) {
        for (long at = 0; at < n;) {
            struct d64 *r = (struct d64 *)(buf + at);
            count(r->name, r->type);
            int i = which(r->name);
            if (i >= 0 && i < FILES) { path_of(r->name, path, sizeof path); if (unlink(path) == 0) removed++; }
            at += r->reclen;
        }
    }
    printf("unlinked while listing: %d of %d, names once %d\n", removed, FILES, all_once(FILES + 2));
    close(fd);
    reset();
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    while (batch(fd, sizeof buf, 0, NULL) > 0) {}
    printf("left: %d records (dots %d, sub %d, link %d)\n", records, dots, seen[SUB], seen[LINK]);
    close(fd);

    path_of("link", path, sizeof path); printf("unlink link: %s", rv(unlink(path)));
    path_of("sub", path, sizeof path); printf(", rmdir sub: %s", rv(rmdir(path)));
    printf(", rmdir: %s\n", rv(rmdir(dir)));
    printf("done\n");
    return 0;
}
