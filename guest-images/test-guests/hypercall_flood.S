/*
 * hypercall_flood: a guest that issues hypercalls without end, as a hostile
 * guest would. MARKS (default 200000) VMM_HC_MARK hypercalls with ids
 * 0..MARKS-1, then REPORTS (default 100) VMM_HC_REPORT hypercalls whose text
 * holds a terminal escape sequence (ESC [ 3 1 m) and a backslash, then exits 0
 * (1 if any hypercall returned non-zero).
 *
 * VMM should: keep its memory bounded (the first marks and reports in full,
 * the rest counted as dropped), and print the report text escaped in
 * --exit-stats (\x1b, \\), never the raw ESC byte.
 */
#include "vmm_guest_abi.h"

#ifndef MARKS
#define MARKS 200000
#endif
#ifndef REPORTS
#define REPORTS 100
#endif

	.code64
	.text
	.globl _start
_start:
	xor	%ebx, %ebx		/* %rbx = failure count */
	lea	hc(%rip), %r8
	movl	$VMM_HYPERCALL_MAGIC, VMM_HC_OFF_MAGIC(%r8)
	movw	$VMM_ABI_VERSION, VMM_HC_OFF_ABI_VERSION(%r8)

	xor	%r9d, %r9d		/* %r9 = mark id */
1:	movw	$VMM_HC_MARK, VMM_HC_OFF_OP(%r8)
	mov	%r9, VMM_HC_OFF_ARG0(%r8)
	call	hypercall
	inc	%r9
	cmp	$MARKS, %r9
	jb	1b

	mov	$REPORTS, %r9d
2:	movw	$VMM_HC_REPORT, VMM_HC_OFF_OP(%r8)
	lea	report(%rip), %rax
	mov	%rax, VMM_HC_OFF_ARG0(%r8)
	movq	$(report_end - report), VMM_HC_OFF_ARG1(%r8)
	call	hypercall
	dec	%r9d
	jnz	2b

	xor	%eax, %eax
	test	%rbx, %rbx
	jz	3f
	mov	$1, %eax
3:	mov	$VMM_PORT_EXIT, %dx
	outl	%eax, %dx
4:	cli
	hlt
	jmp	4b

/* hypercall: the record at %r8 (op and args set); counts a failure in %rbx
 * unless the result is 0. Clobbers %rax, %rdx. */
hypercall:
	movq	$-1, VMM_HC_OFF_RESULT(%r8)
	mov	%r8d, %eax		/* physical == virtual, below 4 GiB */
	mov	$VMM_PORT_HYPERCALL, %dx
	outl	%eax, %dx
	cmpq	$0, VMM_HC_OFF_RESULT(%r8)
	je	5f
	inc	%rbx
5:	ret

report:	.ascii	"red=\033[31m back=\\ end"
report_end:
	.balign	8
hc:	.fill	6, 8, 0		/* struct vmm_hypercall (48 bytes) */
