/*
 * console_flood: writes BYTES (default 50000) bytes to COM1 as fast as the
 * VMM takes them: lines of 63 letters ('a' + i % 26) and a newline, then
 * exits 0. Tests the console against slow, non-blocking, full and closed
 * stdouts.
 *
 * VMM should: deliver every byte (waiting out EAGAIN), or stop with status 74
 * and one line naming the write error.
 */
#include "vmm_guest_abi.h"

#ifndef BYTES
#define BYTES 50000
#endif

	.code64
	.text
	.globl _start
_start:
	xor	%ecx, %ecx		/* %rcx = bytes written */
	mov	$VMM_PORT_COM1, %dx
1:	mov	%ecx, %eax
	and	$63, %eax
	cmp	$63, %eax
	je	2f
	mov	%ecx, %eax
	push	%rdx
	xor	%edx, %edx
	mov	$26, %r8d
	div	%r8d
	mov	%edx, %eax
	pop	%rdx
	add	$'a', %eax
	jmp	3f
2:	mov	$'\n', %eax
3:	outb	%al, %dx
	inc	%ecx
	cmp	$BYTES, %ecx
	jb	1b

	xor	%eax, %eax
	mov	$VMM_PORT_EXIT, %dx
	outl	%eax, %dx
4:	cli
	hlt
	jmp	4b
