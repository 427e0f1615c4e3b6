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

/* puts: %rsi = NUL-terminated string. Clobbers %rax, %rdx, %rsi. */
puts:
	movzbl	(%rsi), %eax
	test	%al, %al
	jz	2f
	call	putc
	inc	%rsi
	jmp	puts
2:	ret

/* putc: %al = byte. Waits for LSR.THRE, then writes THR. Clobbers %rdx. */
putc:
	push	%rax
	mov	$(VMM_PORT_COM1 + 5), %dx
1:	inb	%dx, %al
	test	$0x20, %al
	jz	1b
	pop	%rax
	mov	$VMM_PORT_COM1, %dx
	outb	%al, %dx
	ret

msg:	.asciz	"halting\n"
