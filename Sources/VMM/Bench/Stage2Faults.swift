/// Which KVM statistic counts "stage-2 faults": faults KVM's MMU fixed by
/// installing a missing entry in the tables it maintains for the guest.
///
/// KVM counts one `pf_fixed` each time kvm_mmu_do_page_fault() returns
/// RET_PF_FIXED (arch/x86/kvm/mmu/mmu_internal.h), on both kinds of KVM:
///  - hardware-assisted (TDP): an EPT violation or NPF exit for which KVM
///    mapped the guest-physical page (first touch, or after the host
///    reclaimed or migrated the page). The guest's own #PFs never exit, so
///    with RAM populated and locked this should be 0 per syscall.
///  - kvm_pvm and any shadow paging: a guest #PF that KVM resolved by
///    filling a shadow PTE from the guest's page tables. Every new guest
///    mapping (mmap, fork, exec, a page-table write that zapped a shadow
///    page) costs at least one, warm RAM or not.
/// `pf_taken` counts every fault entering that path, including the guest's own
/// faults reflected back to it (`pf_guest`) and `pf_spurious` ones, so it is
/// not host work; it is shown with the rest in `kvm_stats_per_op`.
enum Stage2Faults {
    static let statistic = "pf_fixed"
}
