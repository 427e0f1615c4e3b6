/// Little-endian fields of a file or a guest structure, as the x86 boot
/// protocol (bzImage setup header, zero page) and ELF64 (ELFDATA2LSB) lay
/// them out. Reads and writes are at offsets the caller has bounds-checked
/// against the array's count; an unchecked offset traps rather than reads
/// past the end.
extension Array where Element == UInt8 {
    func u16(_ o: Int) -> UInt16 { UInt16(self[o]) | UInt16(self[o + 1]) << 8 }
    func u32(_ o: Int) -> UInt32 { UInt32(u16(o)) | UInt32(u16(o + 2)) << 16 }
    func u64(_ o: Int) -> UInt64 { UInt64(u32(o)) | UInt64(u32(o + 4)) << 32 }

    mutating func put16(_ v: UInt16, at o: Int) { self[o] = UInt8(v & 0xff); self[o + 1] = UInt8(v >> 8) }
    mutating func put32(_ v: UInt32, at o: Int) { put16(UInt16(v & 0xffff), at: o); put16(UInt16(v >> 16), at: o + 2) }
    mutating func put64(_ v: UInt64, at o: Int) { put32(UInt32(v & 0xffff_ffff), at: o); put32(UInt32(v >> 32), at: o + 4) }
}

// A value's bytes, least significant first (building ACPI and MP tables).
func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
func le32(_ v: UInt32) -> [UInt8] { le16(UInt16(v & 0xffff)) + le16(UInt16(v >> 16)) }
func le64(_ v: UInt64) -> [UInt8] { le32(UInt32(v & 0xffff_ffff)) + le32(UInt32(v >> 32)) }
