/*
 * halt: prints "halting\n" on COM1, then `cli; hlt` (and halts again forever
 * if resumed).
 *
 * VMM should: print "halting\n", then get KVM_EXIT_HLT with interrupts off and
 * nothing to wake the vCPU: treat it as the guest stopping (its documented
 * HLT policy), not spin calling KVM_RUN.
 */
#include "vmm_guest_abi.h"

	.code64
	.text
	.globl _start
_start:
	lea	msg(%rip), %rsi
	call	puts
1:	cli
	hlt
	jmp	1b

#include "com1_puts.inc"

msg:	.asciz	"halting\n"
