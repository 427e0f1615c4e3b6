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

msg:	.asciz	"spinning\n"
