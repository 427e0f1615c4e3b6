/*
 * exit_status: writes 42 to the exit port with a 16-bit `outw`.
 *
 * VMM should: print nothing and exit with status 42 (one exit, 2-byte write).
 */
#include "vmm_guest_abi.h"

	.code64
	.text
	.globl _start
_start:
	mov	$42, %ax
	mov	$VMM_PORT_EXIT, %dx
	outw	%ax, %dx
1:	cli			/* not reached if the VMM honours the exit port */
	hlt
	jmp	1b
