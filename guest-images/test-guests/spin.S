/*
 * spin: prints "spinning\n" on COM1, then loops forever (`jmp .`) with
 * interrupts off and no further exits.
 *
 * VMM should: print "spinning\n", then never hear from the guest again; only
 * its watchdog / timeout (or a signal) can end the run.
 */
#include "vmm_guest_abi.h"

	.code64
	.text
	.globl _start
_start:
	lea	msg(%rip), %rsi
	call	puts
	cli
	jmp	.

#include "com1_puts.inc"

msg:	.asciz	"spinning\n"
