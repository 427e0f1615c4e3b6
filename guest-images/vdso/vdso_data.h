/* The vDSO's data page ([vvar]): written by the guest kernel (Memory/Vdso.swift),
 * read by the vDSO (vdso.c), mapped read-only in every process one page below
 * the vDSO's first page (vdso.lds: vvar_page). One definition for both sides.
 *
 * Time is the kernel's Clock (Support/Clock.swift) computed the same way:
 *   ns since boot = (t / tsc_khz) * 1e6 + (t % tsc_khz) * 1e6 / tsc_khz,
 *   t = rdtsc - boot_tsc;  CLOCK_REALTIME = boot_realtime + ns since boot.
 * seq is a sequence count (Linux's vdso_data.seq): odd while the kernel
 * rewrites the fields; readers retry when it is odd or changed. */
#ifndef VDSO_DATA_H
#define VDSO_DATA_H
#include <stdint.h>

#define VDSO_DATA_VERSION 1

struct vdso_data {
    uint32_t seq;
    uint32_t version;          /* VDSO_DATA_VERSION once the kernel has filled the page */
    uint64_t tsc_khz;          /* never 0 */
    uint64_t boot_tsc;
    uint64_t boot_realtime;    /* ns since the Epoch at boot_tsc */
    uint32_t cpu;              /* getcpu(2) */
    uint32_t node;
};
#endif
