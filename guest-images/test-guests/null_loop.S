/*
 * null_loop: LOOPS x `outb %al, $0x80` (VMM_PORT_NULL) in a tight loop, then
 * writes 0 to the exit port. LOOPS defaults to 100000; override with
 * -DLOOPS=N on the cc command line.
 *
 * VMM should: ignore (count) the port 0x80 writes, exit 0 with no output.
 * Exactly LOOPS + 1 exits. Used to measure the exit round-trip cost of the
 * VMM's run loop (compare with guest-images/perf/kvm-exit-loop).
 */
#include "vmm_guest_abi.h"

#ifndef LOOPS
#define LOOPS 100000
#endif

	.code64
	.text
	.globl _start
_start:
	mov	$LOOPS, %ecx
	xor	%eax, %eax
	test	%ecx, %ecx
	jz	2f
1:	outb	%al, $VMM_PORT_NULL
	dec	%ecx
	jnz	1b
2:	xor	%eax, %eax
	mov	$VMM_PORT_EXIT, %dx
	outl	%eax, %dx
3:	cli			/* not reached if the VMM honours the exit port */
	hlt
	jmp	3b
