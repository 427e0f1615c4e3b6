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

#include "com1_puts.inc"

msg:	.asciz	"hello from the guest\n"
