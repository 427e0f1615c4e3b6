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
#endif
