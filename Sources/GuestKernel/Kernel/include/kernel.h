// Everything the Swift kernel needs from C: privileged instructions as static
// inline functions (they inline into Swift), the assembly entry points and the
// frame layouts they build, and the guest ABI shared with the VMM.
#ifndef KERNEL_H
#define KERNEL_H
#include <stdint.h>
#include <stddef.h>
#include "vmm_guest_abi.h"
#include "cpu.h"
#include "frames.h"
#include "vdso_data.h"

// The vDSO image and its data page (build-guest-kernel.sh, Memory/Vdso.swift).
KERNEL_SYMBOL_ADDRESS(vdso_image_start_address, vdso_image_start)
KERNEL_SYMBOL_ADDRESS(vdso_image_end_address, vdso_image_end)
KERNEL_SYMBOL_ADDRESS(vdso_vvar_address, vdso_vvar)
static inline void compiler_barrier(void) { __asm__ volatile("" ::: "memory"); }
#endif
