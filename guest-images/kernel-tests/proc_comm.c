/* /proc/self/comm and the Name: of /proc/self/status follow prctl(PR_SET_NAME)
 * (task->comm), not the executable's name; a name is cut at 15 bytes. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void show(const char *label) {
    char buf[4096], name[64] = "";
    int fd = open("/proc/self/comm", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0) close(fd);
    buf[n > 0 ? n : 0] = 0;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(name, sizeof name, f)) if (!strncmp(name, "Name:", 5)) break;
    if (f) fclose(f);
    char got[16] = "";
    prctl(PR_GET_NAME, got);
    printf("%s: comm=%s status=%s get=%s\n", label, buf, name, got);
}

int main(void) {
    prctl(PR_SET_NAME, "renamed");
    show("set");
    prctl(PR_SET_NAME, "a-name-longer-than-fifteen-bytes");
    show("long");
    return 0;
}
