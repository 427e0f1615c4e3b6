import Glibc
import SystemPackage

/// One statistic described by a vCPU's stats file (KVM API doc 4.133,
/// `struct kvm_stats_desc`).
struct StatDescriptor: Equatable {
    enum Kind: UInt32 { case cumulative = 0, instant, peak, linearHistogram, logHistogram }
    let name: String
    let flags: UInt32
    let exponent: Int16
    let size: UInt16        // number of u64 values
    let offset: UInt32      // from the start of the data block

    var kind: Kind? { Kind(rawValue: flags & 0xF) }
    var isScalar: Bool { size == 1 && (kind == .cumulative || kind == .instant || kind == .peak) }
}

/// The layout of a binary stats file, parsed once; values are re-read with
/// one pread per snapshot.
struct StatsLayout: Equatable {
    let id: String
    let descriptors: [StatDescriptor]
    let dataOffset: UInt32
    /// Bytes of the data block that the descriptors cover.
    let dataSize: Int

    static let headerSize = 24          // six u32 (struct kvm_stats_header)
    static let descriptorFixedSize = 16 // flags, exponent, size, offset, bucket_size

    /// Parses the header and descriptor block. `read(offset, count)` returns
    /// the file's bytes there (or fewer at EOF). Every size and offset in the
    /// file is checked before use.
    static func parse(read: (Int, Int) throws -> [UInt8]) throws -> StatsLayout {
        let header = try read(0, headerSize)
        guard header.count == headerSize else { throw KVMError.stats("short header") }
        func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
            UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
        }
        let nameSize = Int(u32(header, 4)), count = Int(u32(header, 8))
        let idOffset = Int(u32(header, 12)), descOffset = Int(u32(header, 16))
        let dataOffset = u32(header, 20)
        guard nameSize > 0, nameSize <= 4096, count <= 65536 else {
            throw KVMError.stats("implausible header (name size \(nameSize), \(count) descriptors)")
        }
        let idBytes = try read(idOffset, nameSize)
        let stride = descriptorFixedSize + nameSize
        let block = try read(descOffset, stride * count)
        guard block.count == stride * count else { throw KVMError.stats("short descriptor block") }
        var descriptors: [StatDescriptor] = []
        var dataSize = 0
        for i in 0..<count {
            let b = i * stride
            let size = UInt16(block[b + 6]) | UInt16(block[b + 7]) << 8
            let offset = u32(block, b + 8)
            let nameBytes = block[(b + 16)..<(b + stride)]
            let d = StatDescriptor(
                name: cString(nameBytes), flags: u32(block, b),
                exponent: Int16(bitPattern: UInt16(block[b + 4]) | UInt16(block[b + 5]) << 8),
                size: size, offset: offset)
            descriptors.append(d)
            dataSize = max(dataSize, Int(offset) + Int(size) * 8)
        }
        return StatsLayout(id: cString(idBytes[...]), descriptors: descriptors,
                           dataOffset: dataOffset, dataSize: dataSize)
    }

    /// The scalar values (first u64 of each statistic) from a data block.
    func values(fromData data: [UInt8]) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for d in descriptors where d.isScalar {
            let at = Int(d.offset)
            guard at + 8 <= data.count else { continue }
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(data[at + k]) << (8 * UInt64(k)) }
            out[d.name] = v
        }
        return out
    }

    private static func cString(_ bytes: ArraySlice<UInt8>) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }
}

/// A snapshot of scalar statistics by name.
struct StatsSnapshot: Equatable {
    var values: [String: UInt64]

    /// later - earlier for cumulative counters; `later` for the rest.
    static func delta(from earlier: StatsSnapshot, to later: StatsSnapshot, layout: StatsLayout) -> [(String, UInt64)] {
        var rows: [(String, UInt64)] = []
        for d in layout.descriptors where d.isScalar {
            guard let b = later.values[d.name] else { continue }
            if d.kind == .cumulative {
                let a = earlier.values[d.name] ?? 0
                rows.append((d.name, b &- a))
            } else {
                rows.append((d.name, b))
            }
        }
        return rows
    }
}

/// Reads a vCPU's binary statistics file.
final class BinaryStatsReader {
    let fd: Int32
    let layout: StatsLayout
    private var buffer: [UInt8]

    init(fd: Int32) throws {
        self.fd = fd
        do {
            layout = try StatsLayout.parse { offset, count in try BinaryStatsReader.pread(fd, offset, count) }
        } catch {
            close(fd)
            throw error
        }
        buffer = [UInt8](repeating: 0, count: layout.dataSize)
    }

    deinit { close(fd) }

    func snapshot() -> StatsSnapshot {
        let n = buffer.withUnsafeMutableBytes { b in
            Glibc.pread(fd, b.baseAddress, b.count, off_t(layout.dataOffset))
        }
        guard n == buffer.count else { return StatsSnapshot(values: [:]) }
        return StatsSnapshot(values: layout.values(fromData: buffer))
    }

    /// One statistic's first value, read on its own: callable from another
    /// thread than `snapshot()`'s (a pread at an offset shares no state).
    func value(_ d: StatDescriptor) -> UInt64? {
        var v: UInt64 = 0
        let n = withUnsafeMutableBytes(of: &v) { Glibc.pread(fd, $0.baseAddress, 8, off_t(layout.dataOffset) + off_t(d.offset)) }
        return n == 8 ? UInt64(littleEndian: v) : nil
    }

    private static func pread(_ fd: Int32, _ offset: Int, _ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress, count, off_t(offset)) }
        guard n >= 0 else { throw KVMError.stats("read failed: \(Errno.lastError)") }
        return Array(bytes[0..<n])
    }
}
