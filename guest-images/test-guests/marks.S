/*
 * marks: exercises the hypercall port (VMM_PORT_HYPERCALL, 0x510).
 *   1. VMM_HC_MARK arg0=1
 *   2. 10 x `outb` to VMM_PORT_NULL (0x80)
 *   3. VMM_HC_MARK arg0=2
 *   4. prints "marks ok\n" if both marks returned result 0 (VMM_HC_OK),
 *      otherwise "marks failed\n"
 *   5. VMM_HC_REPORT with the 9-byte text "answer=42" (arg1 = 9, no NUL)
 *   6. exits 0 if every hypercall returned 0, else 1.
 * Each request is a struct vmm_hypercall (48 bytes, 8-byte aligned, inside
 * this image at ~0x1000xx) whose physical address goes out with `outl`.
 * `result` is preset to 0x7eadbeef so "VMM never wrote it" counts as failure.
 *
 * VMM should: print "marks ok\n", exit 0, record marks 1 and 2 (between them:
 * the 10 null-port exits plus the second hypercall's own exit) and keep the
 * report "answer=42" for --exit-stats / --json-stats.
 */
#include "vmm_guest_abi.h"

/* The hypercall constants are inside #ifndef __ASSEMBLER__ in the ABI header,
 * so they are repeated here (values from vmm_guest_abi.h). */
#ifndef VMM_HYPERCALL_MAGIC
#endif
/* struct vmm_hypercall offsets */
#define HC_SENTINEL	0x7eadbeef

	.code64
	.text
	.globl _start
_start:
	xor	%ebx, %ebx		/* %rbx = failure count */

	mov	$VMM_HC_MARK, %ecx
	mov	$1, %esi
	xor	%edi, %edi
	call	hypercall
	call	check

	mov	$10, %ecx
	xor	%eax, %eax
1:	outb	%al, $VMM_PORT_NULL
	dec	%ecx
	jnz	1b

	mov	$VMM_HC_MARK, %ecx
	mov	$2, %esi
	xor	%edi, %edi
	call	hypercall
	call	check

	lea	okmsg(%rip), %rsi
	test	%rbx, %rbx
	jz	2f
	lea	failmsg(%rip), %rsi
2:	call	puts

	mov	$VMM_HC_REPORT, %ecx
	lea	report(%rip), %rsi
	mov	$(report_end - report), %edi
	call	hypercall
	call	check

	xor	%eax, %eax
	test	%rbx, %rbx
	jz	4f
	mov	$1, %eax
4:	mov	$VMM_PORT_EXIT, %dx
	outl	%eax, %dx
3:	cli			/* not reached if the VMM honours the exit port */
	hlt
	jmp	3b

/* check: counts a failure in %rbx unless %rax == 0 (VMM_HC_OK). */
check:
	test	%rax, %rax
	jz	1f
	inc	%rbx
1:	ret

/* hypercall: %ecx = op, %rsi = arg0, %rdi = arg1; returns result in %rax.
 * Clobbers %rdx, %r8. */
hypercall:
	lea	hc(%rip), %r8
	movl	$VMM_HYPERCALL_MAGIC, VMM_HC_OFF_MAGIC(%r8)
	movw	$VMM_ABI_VERSION, VMM_HC_OFF_ABI_VERSION(%r8)
	movw	%cx, VMM_HC_OFF_OP(%r8)
	movq	$HC_SENTINEL, VMM_HC_OFF_RESULT(%r8)
	mov	%rsi, VMM_HC_OFF_ARG0(%r8)
	mov	%rdi, VMM_HC_OFF_ARG1(%r8)
	movq	$0, VMM_HC_OFF_ARG2(%r8)
	movq	$0, VMM_HC_OFF_ARG3(%r8)
	mov	%r8d, %eax		/* physical == virtual, below 4 GiB */
	mov	$VMM_PORT_HYPERCALL, %dx
	outl	%eax, %dx
	mov	VMM_HC_OFF_RESULT(%r8), %rax
	ret

#include "com1_puts.inc"

okmsg:	.asciz	"marks ok\n"
failmsg: .asciz	"marks failed\n"
report:	.ascii	"answer=42"
report_end:
	.balign	8
hc:	.fill	6, 8, 0		/* struct vmm_hypercall (48 bytes) */
