/*
 * hello: writes "hello from the guest\n" to COM1 one byte at a time with
 * `outb`, polling the LSR (0x3fd) for THRE (bit 5) before each byte as a real
 * 16550 driver does, then writes 0 to the exit port with a 32-bit `outl`.
 *
 * VMM should: print exactly "hello from the guest\n" on stdout and exit 0.
 * Exits: 21 LSR reads (`inb`), 21 THR writes, 1 exit-port write.
 */
#include "vmm_guest_abi.h"

	.code64
	.text
	.globl _start
_start:
	lea	msg(%rip), %rsi
	call	puts
	xor	%eax, %eax
	mov	$VMM_PORT_EXIT, %dx
	outl	%eax, %dx
1:	cli			/* not reached if the VMM honours the exit port */
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

msg:	.asciz	"hello from the guest\n"
