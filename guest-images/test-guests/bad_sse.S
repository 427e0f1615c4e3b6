/*
 * bad_sse: prints "about to run sse\n" on COM1, then executes an SSE
 * instruction (`xorps %xmm0, %xmm0`) in ring 0.
 *
 * VMM should, on this machine (kvm_pvm, ring 0 emulated): print the marker
 * line, then get KVM_EXIT_INTERNAL_ERROR (suberror 1, emulation failure) and
 * report it as a guest failure (non-zero exit). On hardware-assisted KVM the
 * instruction simply runs (the VMM sets CR4.OSFXSR): the guest then prints
 * "sse ok\n" and exits with status 0.
 */
#include "vmm_guest_abi.h"

	.code64
	.text
	.globl _start
_start:
	lea	msg(%rip), %rsi
	call	puts
	xorps	%xmm0, %xmm0
	lea	okmsg(%rip), %rsi
	call	puts
	xor	%eax, %eax
	mov	$VMM_PORT_EXIT, %dx
	outl	%eax, %dx
1:	cli			/* not reached if the VMM honours the exit port */
	hlt
	jmp	1b

#include "com1_puts.inc"

msg:	.asciz	"about to run sse\n"
okmsg:	.asciz	"sse ok\n"
