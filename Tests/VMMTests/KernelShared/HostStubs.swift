/// Host-side test doubles for the few kernel helpers that the kernel files
/// compiled into this test target (the symbolic links beside this file) call
/// but that live in kernel files using hardware or C helpers. Used only by
/// the tests; the VMM never sees them.

/// Test double for the kernel's zeroFrame (Memory/FrameAllocatorBoot.swift,
/// `rep stosq` through frames.h): zeroes the 4 KiB frame at `p`.
func zeroFrame(_ p: UnsafeMutablePointer<UInt64>) { p.update(repeating: 0, count: 512) }
