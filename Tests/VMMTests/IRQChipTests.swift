import CKVM
import Foundation
import GuestKernel
import Testing
@testable import VMM

/// The kernel's "VMM" ELF note and the irqchip decision built on it (issue 11's timer).
@Suite struct IRQChipTests {
    /// One note: namesz, descsz, type, name padded to 4, descriptor padded to 4.
    static func note(name: [UInt8], type: UInt32, desc: [UInt8]) -> [UInt8] {
        func le(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        func pad(_ b: [UInt8]) -> [UInt8] { b + Array(repeating: 0, count: (4 - b.count % 4) % 4) }
        return le(UInt32(name.count)) + le(UInt32(desc.count)) + le(type) + pad(name) + pad(desc)
    }
    static let vmm: [UInt8] = [0x56, 0x4d, 0x4d, 0]

    @Test func readsTheFeaturesNoteAmongOthers() {
        let gnu = Self.note(name: Array("GNU".utf8) + [0], type: 3, desc: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let ours = Self.note(name: Self.vmm, type: UInt32(VMM_ELFNOTE_FEATURES), desc: [1, 0, 0, 0])
        let bytes = gnu + ours
        #expect(ELFImage.vmmFeatures(bytes, from: 0, to: bytes.count) == UInt32(VMM_FEATURE_IRQCHIP))
    }

    @Test func ignoresOtherOwnersTypesAndMalformedNotes() {
        let otherOwner = Self.note(name: [0x58, 0x45, 0x4e, 0], type: 1, desc: [1, 0, 0, 0])
        let otherType = Self.note(name: Self.vmm, type: 2, desc: [1, 0, 0, 0])
        for bytes in [otherOwner, otherType] {
            #expect(ELFImage.vmmFeatures(bytes, from: 0, to: bytes.count) == 0)
        }
        // A descriptor size past the end, a truncated header: no features, no trap.
        var huge = Self.note(name: Self.vmm, type: 1, desc: [1, 0, 0, 0])
        huge[4] = 0xff; huge[5] = 0xff; huge[6] = 0xff; huge[7] = 0x7f
        #expect(ELFImage.vmmFeatures(huge, from: 0, to: huge.count) == 0)
        var bigName = Self.note(name: Self.vmm, type: 1, desc: [1, 0, 0, 0])
        bigName[3] = 0xff
        #expect(ELFImage.vmmFeatures(bigName, from: 0, to: bigName.count) == 0)
        let whole = Self.note(name: Self.vmm, type: 1, desc: [1, 0, 0, 0])
        #expect(ELFImage.vmmFeatures(whole, from: 0, to: whole.count - 1) == 0)
        #expect(ELFImage.vmmFeatures(whole, from: 0, to: 11) == 0)
    }

    @Test func theBuiltInKernelAsksForTheIRQChip() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: GuestKernel.elfPath)))
        let image = try ELFImage(bytes: bytes)
        #expect(image.features & UInt32(VMM_FEATURE_IRQCHIP) != 0)
    }

    @Test func aKernelWithoutTheNoteGetsNoIRQChip() throws {
        let image = try ELFImage(bytes: ELFBuilder().bytes())
        #expect(image.features == 0)
        #expect(IRQChip.decide(features: image.features, irqchipCap: 1, tscDeadlineCap: 1) == .none)
    }

    @Test func decision() {
        let asks = UInt32(VMM_FEATURE_IRQCHIP)
        #expect(IRQChip.decide(features: asks, irqchipCap: 1, tscDeadlineCap: 1) == .created(tscDeadline: true))
        #expect(IRQChip.decide(features: asks, irqchipCap: 1, tscDeadlineCap: 0) == .created(tscDeadline: false))
        #expect(IRQChip.decide(features: asks, irqchipCap: 0, tscDeadlineCap: 1) == .unavailable)
    }

    @Test func tscDeadlineBitOnlyInLeafOne() {
        var one = kvm_cpuid_entry2(); one.function = 1
        var seven = kvm_cpuid_entry2(); seven.function = 7
        let out = IRQChip.withTSCDeadline([one, seven])
        #expect(out[0].ecx == 1 << 24)
        #expect(out[1].ecx == 0)
    }
}
