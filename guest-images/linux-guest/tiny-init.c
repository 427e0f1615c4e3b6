/*
 * tiny-init: /init of a Linux guest of vmm (README, "Linux as a guest").
 * Prints one line with the running kernel's release, then ends the VM as
 * its argument says:
 *   exit N     ioperm(2) the VMM's exit port (0x501) and write N: vmm exits N
 *   reboot     reboot(2) RB_AUTOBOOT: Linux resets through the i8042, vmm exits 119
 *   poweroff   reboot(2) RB_POWER_OFF: Linux enters ACPI S5, vmm exits 0
 * Arguments come from the kernel command line after "--" (words before it
 * that Linux does not know, such as nokaslr, come first: they are skipped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#define VMM_PORT_EXIT 0x501

int main(int argc, char **argv)
{
    struct utsname u;
    uname(&u);
    printf("tiny-init: pid %d on %s %s\n", (int)getpid(), u.sysname, u.release);
    fflush(stdout);
    int i = 1;
    while (i < argc && strcmp(argv[i], "exit") && strcmp(argv[i], "reboot") && strcmp(argv[i], "poweroff")) i++;
    const char *what = i < argc ? argv[i] : "exit";
    if (!strcmp(what, "reboot")) { sync(); reboot(RB_AUTOBOOT); }
    else if (!strcmp(what, "poweroff")) { sync(); reboot(RB_POWER_OFF); }
    else {
        int status = i + 1 < argc ? atoi(argv[i + 1]) : 0;
        if (ioperm(VMM_PORT_EXIT, 1, 1) != 0) { perror("tiny-init: ioperm"); return 1; }
        tcdrain(1);   /* the console's UART has sent the line before the VM ends */
        outb((unsigned char)status, VMM_PORT_EXIT);
    }
    perror("tiny-init: still running");
    for (;;) pause();
}
