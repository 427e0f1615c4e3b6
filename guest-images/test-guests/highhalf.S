/*
 * highhalf: linked at virtual 0xffffffff80100000 with physical load address
 * 0x100000 (see highhalf.ld); e_entry is the high virtual address, so it runs
 * through the VMM's 0xffffffff80000000 -> phys 0 mapping from its first
 * instruction. It checks that RIP really is in the high half, moves its stack
 * to the high alias of the boot stack, and prints "high half ok\n" using
 * RIP-relative string addressing, then exits 0. If RIP is not high it prints
 * "high half: running low\n" and exits 1.
 *
 * VMM should: print "high half ok\n" and exit 0 (it must load at p_paddr and
 * enter at e_entry, not at p_vaddr/e_entry-as-physical).
 *
 * Build: this guest needs its linker script: the standard command plus
 * -Wl,-T,<dir>/highhalf.ld (an -Wl,-Ttext=0x100000 there is harmless):
 *   cc -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-Ttext=0x100000 \
 *      -Wl,-T,/work/main/guest-images/test-guests/highhalf.ld \
 *      -I /work/main/Sources/CKVM/include -o highhalf.elf highhalf.S
 */
#include "vmm_guest_abi.h"

	.code64
	.text
	.globl _start
_start:
	movabs	$VMM_KERNEL_VIRT_BASE, %rcx
	add	%rcx, %rsp			/* same stack, high alias */
	lea	_start(%rip), %rax
	cmp	%rcx, %rax
	jae	1f
	lea	lowmsg(%rip), %rsi
	call	puts
	mov	$1, %eax
	jmp	2f
1:	lea	msg(%rip), %rsi
	call	puts
	xor	%eax, %eax
2:	mov	$VMM_PORT_EXIT, %dx
	outl	%eax, %dx
3:	cli			/* not reached if the VMM honours the exit port */
	hlt
	jmp	3b

#include "com1_puts.inc"

msg:	.asciz	"high half ok\n"
lowmsg:	.asciz	"high half: running low\n"
