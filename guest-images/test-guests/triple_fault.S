/*
 * triple_fault: prints "about to triple fault\n" on COM1, loads recognisable
 * values into registers, loads an IDT with limit 0 (explicitly, whatever the
 * VMM left), then executes `ud2`: #UD cannot be delivered -> #GP -> #DF ->
 * triple fault.
 *
 * VMM should: print the marker line, then see KVM_EXIT_SHUTDOWN and report a
 * guest crash (non-zero exit status). Registers at the time of the shutdown
 * (if the VMM dumps them): rax=0x1111222233334444 rbx=0x5555666677778888
 * rcx=0x99990000aaaabbbb, rip -> the ud2 (symbol `fault`).
 */
#include "vmm_guest_abi.h"

	.code64
	.text
	.globl _start
_start:
	lea	msg(%rip), %rsi
	call	puts
	lidt	null_idt(%rip)
	movabs	$0x1111222233334444, %rax
	movabs	$0x5555666677778888, %rbx
	movabs	$0x99990000aaaabbbb, %rcx
	.globl	fault
fault:	ud2
1:	cli			/* never reached */
	hlt
	jmp	1b

#include "com1_puts.inc"

	.balign	8
null_idt:
	.word	0		/* limit 0: every vector is out of bounds */
	.quad	0
msg:	.asciz	"about to triple fault\n"
