/*
 * mmio: a 4-byte write of 0xdeadbeef to guest-physical 0xd0000000, which is
 * outside RAM, then writes 5 to the exit port.
 *
 * The VMM's page tables map only RAM, so the guest first maps 0xd0000000
 * itself: it points PDPT_LOW[3] (0x5000 + 3*8, covering 3..4 GiB) at a PD of
 * its own (a zeroed 4 KiB page inside this image) whose entry 128
 * ((0xd0000000 >> 21) & 511) is a 2 MiB page P|RW|PWT|PCD|PS at 0xd0000000,
 * and reloads CR3. (Whatever PDPT_LOW[3] held is replaced, so the guest needs
 * RAM < 3.25 GiB, i.e. 0xd0000000 not RAM, for the test to mean anything.)
 *
 * VMM should: see KVM_EXIT_MMIO, is_write=1, phys_addr=0xd0000000, len=4,
 * data = ef be ad de; handle it per its policy (ignore/log), resume, and then
 * exit with status 5.
 */
#include "vmm_guest_abi.h"

#define MMIO_ADDR	0xd0000000
#define PTE_P		0x01
#define PTE_RW		0x02
#define PTE_PWT		0x08
#define PTE_PCD		0x10
#define PTE_PS		0x80

	.code64
	.text
	.globl _start
_start:
	/* PDPT_LOW[3] -> our PD (identity-mapped: link address == physical). */
	lea	mmio_pd(%rip), %rax
	or	$(PTE_P | PTE_RW), %rax
	mov	$VMM_PDPT_LOW_ADDR, %ebx
	mov	%rax, ((MMIO_ADDR >> 30) * 8)(%rbx)
	/* PD[128] -> 2 MiB page at 0xd0000000, uncached. */
	lea	mmio_pd(%rip), %rbx
	mov	$(MMIO_ADDR | PTE_P | PTE_RW | PTE_PWT | PTE_PCD | PTE_PS), %eax
	mov	%rax, (((MMIO_ADDR >> 21) & 511) * 8)(%rbx)
	mov	%cr3, %rax
	mov	%rax, %cr3

	/* The MMIO write. (Through a register: an absolute disp32 of
	 * 0xd0000000 would be sign-extended to 0xffffffffd0000000.) */
	mov	$MMIO_ADDR, %edx
	movl	$0xdeadbeef, (%rdx)

	mov	$5, %eax
	mov	$VMM_PORT_EXIT, %dx
	outl	%eax, %dx
1:	cli			/* not reached if the VMM honours the exit port */
	hlt
	jmp	1b

	.balign	4096
mmio_pd:
	.fill	512, 8, 0
