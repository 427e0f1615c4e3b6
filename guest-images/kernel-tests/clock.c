/* The wall clock: CLOCK_REALTIME, gettimeofday(2) and time(2) (raw system
 * calls, no vDSO in the guest) in seconds since the Epoch, one per line,
 * then CLOCK_MONOTONIC's seconds. Tests/VMMTests/GuestKernelTests compares
 * the first three with the host's clock at the time of the run. */
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    struct timespec r, m;
    struct timeval tv;
    long stored = -1;
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &r);
    syscall(SYS_gettimeofday, &tv, NULL);
    long t = syscall(SYS_time, &stored);
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &m);
    printf("realtime %ld\ngettimeofday %ld\ntime %ld %ld\nmonotonic %ld\n",
           (long)r.tv_sec, (long)tv.tv_sec, t, stored, (long)m.tv_sec);
    return 0;
}
