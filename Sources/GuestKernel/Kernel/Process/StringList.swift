/// A fixed-capacity list of byte strings (pointers into memory that outlives it).
struct StringList {
    var ptrs: UnsafeMutablePointer<UnsafePointer<UInt8>>
    var lens: UnsafeMutablePointer<Int>
    var count = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        ptrs = .allocate(capacity: capacity)
        lens = .allocate(capacity: capacity)
    }

    mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard count < capacity else { return false }
        ptrs[count] = p
        lens[count] = n
        count += 1
        return true
    }

    mutating func append(_ s: StaticString) -> Bool { append(s.utf8Start, s.utf8CodeUnitCount) }

    func deallocate() { ptrs.deallocate(); lens.deallocate() }
}
