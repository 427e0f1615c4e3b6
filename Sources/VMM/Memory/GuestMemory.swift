import Glibc
import SystemPackage

/// Guest RAM: one anonymous mapping that backs guest-physical [0, size).
///
/// Every access from the rest of the VMM goes through the checked accessors
/// here (`checkedRange`), which take guest-controlled addresses and lengths
/// and never trap on them: a bad range is a `MemoryError.outOfRange`
/// (the equivalent of uhyve's `host_address` and Solo5's `HVT_CHECKED_GPA_P`).
final class GuestMemory {
    let size: UInt64
    let base: UnsafeMutableRawPointer
    private let mappingBase: UnsafeMutableRawPointer
    private let mappingSize: Int

    /// Maps `size` bytes of zeroed anonymous memory. With `alignment` above
    /// the page size the start is aligned (2 MiB lets THP back whole pages).
    init(size: UInt64, alignment: Int = 4096) throws {
        precondition(size > 0 && alignment > 0 && alignment & (alignment - 1) == 0)
        guard size <= UInt64(Int.max) - UInt64(alignment) else {
            throw MemoryError.map(size: size, .noMemory)
        }
        let length = Int(size) + (alignment > 4096 ? alignment : 0)
        // MAP_NORESERVE: untouched guest RAM costs nothing until the guest
        // touches it (or --prealloc populates it).
        guard let p = mmap(nil, length, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              p != MAP_FAILED else {
            throw MemoryError.map(size: size, Errno.lastError)
        }
        mappingBase = p
        mappingSize = length
        let addr = UInt(bitPattern: p)
        let aligned = (addr + UInt(alignment) - 1) & ~(UInt(alignment) - 1)
        base = p + Int(aligned - addr)
        self.size = size
    }

    deinit { munmap(mappingBase, mappingSize) }

    /// The host offset of guest-physical [address, address+length), or an
    /// error if any byte of it lies outside RAM. Overflow-safe.
    @inline(__always)
    func checkedRange(_ address: UInt64, _ length: UInt64) throws -> Int {
        guard length <= size, address <= size - length else {
            throw MemoryError.outOfRange(address: address, length: length, ramSize: size)
        }
        return Int(address)
    }

    func contains(_ address: UInt64, _ length: UInt64) -> Bool {
        length <= size && address <= size - length
    }

    func read<T: FixedWidthInteger>(_: T.Type, at address: UInt64) throws -> T {
        let o = try checkedRange(address, UInt64(MemoryLayout<T>.size))
        return T(littleEndian: base.loadUnaligned(fromByteOffset: o, as: T.self))
    }

    func write<T: FixedWidthInteger>(_ value: T, at address: UInt64) throws {
        let o = try checkedRange(address, UInt64(MemoryLayout<T>.size))
        base.storeBytes(of: value.littleEndian, toByteOffset: o, as: T.self)
    }

    func readBytes(at address: UInt64, count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw MemoryError.outOfRange(address: address, length: 0, ramSize: size) }
        let o = try checkedRange(address, UInt64(count))
        return Array(UnsafeRawBufferPointer(start: base + o, count: count))
    }

    func write<C: Collection>(bytes: C, at address: UInt64) throws where C.Element == UInt8 {
        let o = try checkedRange(address, UInt64(bytes.count))
        let dst = UnsafeMutableRawBufferPointer(start: base + o, count: bytes.count)
        _ = dst.initializeMemory(as: UInt8.self, from: bytes)
    }

    /// Copies a value's bytes (e.g. a C struct) into guest memory.
    func write<T>(value: T, at address: UInt64) throws {
        try withUnsafeBytes(of: value) { try write(bytes: $0, at: address) }
    }

    /// A mutable view of a checked range, for bulk fills such as reading a
    /// file straight into guest RAM.
    func withMutableBytes<R>(at address: UInt64, count: Int,
                             _ body: (UnsafeMutableRawBufferPointer) throws -> R) throws -> R {
        guard count >= 0 else { throw MemoryError.outOfRange(address: address, length: 0, ramSize: size) }
        let o = try checkedRange(address, UInt64(count))
        return try body(UnsafeMutableRawBufferPointer(start: base + o, count: count))
    }

    /// Bytes of guest RAM resident in host memory now (mincore(2)).
    func residentBytes() -> UInt64 {
        let page = 4096
        let chunkPages = 1 << 16
        var vector = [UInt8](repeating: 0, count: chunkPages)
        var resident: UInt64 = 0
        var offset = 0
        let total = Int(size)
        while offset < total {
            let len = min(chunkPages * page, total - offset)
            let pages = (len + page - 1) / page
            let ok = vector.withUnsafeMutableBufferPointer { mincore(base + offset, len, $0.baseAddress) } == 0
            if ok { for i in 0..<pages where vector[i] & 1 != 0 { resident += UInt64(page) } }
            offset += len
        }
        return resident
    }
}
