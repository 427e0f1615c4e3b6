/*
 * unknown_port: `outb` of 0x5a to port 0x1234 (no device there), then, if the
 * VMM let it continue, writes 3 to the exit port.
 *
 * VMM should: either ignore/log the unknown write and then exit with status 3,
 * or stop the guest with its "unhandled port" error -- whichever its policy
 * is; it must not crash or hang. The exit it sees: KVM_EXIT_IO, out, port
 * 0x1234, size 1, count 1, data 0x5a.
 */
#include "vmm_guest_abi.h"

	.code64
	.text
	.globl _start
_start:
	mov	$0x5a, %al
	mov	$0x1234, %dx
	outb	%al, %dx
	mov	$3, %eax
	mov	$VMM_PORT_EXIT, %dx
	outl	%eax, %dx
1:	cli			/* not reached if the VMM honours the exit port */
	hlt
	jmp	1b
