import KernelSupport

/// Ends the VM with `status` through the VMM's exit port (VMM_PORT_EXIT).
func exitVM(_ status: UInt32) -> Never {
    outl(UInt16(VMM_PORT_EXIT), status)
    while true { hlt() }
}

@c(kernel_heap_exhausted)
func kernelHeapExhausted() -> Never { panic("kernel heap exhausted") }

/// A kernel panic: message, then the distinct exit status (vmm_guest_abi.h).
func panic(_ message: StaticString, status: Int32 = VMM_KERNEL_EXIT_PANIC) -> Never {
    Console.write("[kernel] panic: ")
    Console.write(message)
    Console.write("\n")
    exitVM(UInt32(status))
}
