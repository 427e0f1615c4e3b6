/*
 * bootinfo: validates the struct vmm_boot_info whose address arrives in RDI.
 *   - magic != VMM_BOOT_MAGIC       -> prints "bootinfo bad magic\n", exits 1
 *   - abi_version != VMM_ABI_VERSION -> prints "bootinfo bad abi_version\n",
 *                                       exits 2
 *   - otherwise prints "bootinfo ok\n", then "flags=%016x\n" (the 64-bit
 *     flags word, lower-case hex), then the cmdline (NUL-terminated string at
 *     cmdline_addr, at most VMM_CMDLINE_MAX bytes; nothing if cmdline_addr is
 *     0) and "\n", then writes one zero byte at the start of every 4 KiB page
 *     of every VMM_MEM_FREE memmap entry (pages wholly inside the entry; at
 *     most VMM_MEMMAP_MAX entries), then prints "touched\n" and exits 0.
 *
 * VMM should: print e.g.
 *     bootinfo ok
 *     flags=0000000000000014
 *     console=ttyS0 quiet
 *     touched
 * and exit 0. If a FREE entry overlaps this image, the stack, the page tables
 * or the boot info, or lies outside the identity map, the guest crashes.
 * Touching a page costs a few emulated instructions plus a fault, so keep RAM
 * small (say <= 256 MiB) for a quick test.
 */
#include "vmm_guest_abi.h"

/* struct vmm_boot_info offsets (checked against the C header with offsetof) */
/* struct vmm_memmap_entry */

	.code64
	.text
	.globl _start
_start:
	mov	%rdi, %rbx			/* %rbx = boot info */

	movabs	$VMM_BOOT_MAGIC, %rax
	cmp	%rax, VMM_BI_MAGIC(%rbx)
	je	1f
	lea	badmagic(%rip), %rsi
	mov	$1, %r12d
	jmp	fail
1:	cmpl	$VMM_ABI_VERSION, VMM_BI_ABI_VERSION(%rbx)
	je	2f
	lea	badabi(%rip), %rsi
	mov	$2, %r12d
	jmp	fail

2:	lea	okmsg(%rip), %rsi
	call	puts
	lea	flagsmsg(%rip), %rsi
	call	puts
	mov	VMM_BI_FLAGS(%rbx), %rax
	call	puthex64
	mov	$'\n', %al
	call	putc

	/* cmdline */
	mov	VMM_BI_CMDLINE_ADDR(%rbx), %rsi
	test	%rsi, %rsi
	jz	4f
	mov	$VMM_CMDLINE_MAX, %ecx
3:	movzbl	(%rsi), %eax
	test	%al, %al
	jz	4f
	call	putc
	inc	%rsi
	dec	%ecx
	jnz	3b
4:	mov	$'\n', %al
	call	putc

	/* touch every page of every free memmap entry */
	mov	VMM_BI_MEMMAP_COUNT(%rbx), %r12d	/* entries left */
	cmp	$VMM_MEMMAP_MAX, %r12d
	jbe	5f
	mov	$VMM_MEMMAP_MAX, %r12d
5:	lea	VMM_BI_MEMMAP(%rbx), %r13		/* current entry */
6:	test	%r12d, %r12d
	jz	9f
	cmpl	$VMM_MEM_FREE, VMM_ME_TYPE(%r13)
	jne	8f
	mov	VMM_ME_BASE(%r13), %r14
	mov	%r14, %r15
	add	VMM_ME_SIZE(%r13), %r15		/* %r15 = end */
	add	$4095, %r14
	and	$-4096, %r14			/* %r14 = first whole page */
7:	lea	4096(%r14), %rax
	cmp	%r15, %rax			/* page must end <= end */
	ja	8f
	movb	$0, (%r14)
	mov	%rax, %r14
	jmp	7b
8:	add	$VMM_ME_STRIDE, %r13
	dec	%r12d
	jmp	6b

9:	lea	touchedmsg(%rip), %rsi
	call	puts
	xor	%eax, %eax
	jmp	exit

fail:	call	puts
	mov	%r12d, %eax
exit:	mov	$VMM_PORT_EXIT, %dx
	outl	%eax, %dx
1:	cli			/* not reached if the VMM honours the exit port */
	hlt
	jmp	1b

/* puthex64: prints %rax as 16 lower-case hex digits.
 * Clobbers %rax, %rcx, %rdx, %r8. */
puthex64:
	mov	%rax, %r8
	mov	$16, %ecx
1:	rol	$4, %r8
	mov	%r8d, %eax
	and	$0xf, %eax
	cmp	$10, %eax
	jb	2f
	add	$('a' - '0' - 10), %eax
2:	add	$'0', %eax
	call	putc
	dec	%ecx
	jnz	1b
	ret

#include "com1_puts.inc"

okmsg:		.asciz	"bootinfo ok\n"
flagsmsg:	.asciz	"flags="
touchedmsg:	.asciz	"touched\n"
badmagic:	.asciz	"bootinfo bad magic\n"
badabi:		.asciz	"bootinfo bad abi_version\n"
