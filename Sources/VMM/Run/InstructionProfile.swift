/// Guest instructions counted one by one (KVM_GUESTDBG_SINGLESTEP: one
/// KVM_EXIT_DEBUG per instruction, README "Profiling the guest kernel"), by
/// kernel function, for the whole run and per window between consecutive
/// guest marks. Memory is fixed by the symbol table: one counter per symbol
/// for the open window and one for the run; a closed window keeps only its
/// non-zero counters, and at most `windowLimit` windows are kept (past that
/// they count in the run's totals only).
struct InstructionProfile {
    /// The kernel half of the address space (canonical upper half).
    static let kernelBase: UInt64 = 0xffff_8000_0000_0000
    static let windowLimit = 512

    struct Window: Equatable {
        /// The marks that open and close it; nil: the run's start or end.
        let startMark: UInt64?
        let endMark: UInt64?
        /// Per bucket (Bucket.index), non-zero only, in bucket order.
        let counts: [(bucket: Int, steps: UInt64)]
        /// KVM's insn_emulation over the window, where both marks read it.
        let emulated: UInt64?

        var steps: UInt64 { counts.reduce(0) { $0 &+ $1.steps } }

        static func == (a: Window, b: Window) -> Bool {
            a.startMark == b.startMark && a.endMark == b.endMark && a.emulated == b.emulated
                && a.counts.map(\.bucket) == b.counts.map(\.bucket) && a.counts.map(\.steps) == b.counts.map(\.steps)
        }
    }

    let symbols: KernelSymbols
    /// Buckets: one per symbol, then "kernel, outside any symbol", then "user mode".
    var outsideBucket: Int { symbols.symbols.count }
    var userBucket: Int { symbols.symbols.count + 1 }

    private(set) var total: [UInt64]
    private var open: [UInt64]
    private var openSteps: UInt64 = 0
    private(set) var windows: [Window] = []
    private(set) var droppedWindows: UInt64 = 0
    private var lastMark: UInt64?
    private var lastEmulated: UInt64?
    private var finished = false

    init(symbols: KernelSymbols, emulatedAtStart: UInt64? = nil) {
        self.symbols = symbols
        total = Array(repeating: 0, count: symbols.symbols.count + 2)
        open = total
        lastEmulated = emulatedAtStart
    }

    var steps: UInt64 { total.reduce(0, &+) }

    func name(_ bucket: Int) -> String {
        bucket < symbols.symbols.count ? symbols.symbols[bucket].name
            : bucket == outsideBucket ? "(kernel, outside any symbol)" : "(user mode)"
    }

    func bucket(rip: UInt64) -> Int {
        rip < Self.kernelBase ? userBucket : symbols.index(of: rip) ?? outsideBucket
    }

    /// One stepped instruction at `rip`.
    mutating func step(rip: UInt64) {
        let b = bucket(rip: rip)
        total[b] &+= 1
        open[b] &+= 1
        openSteps &+= 1
    }

    /// A guest mark: closes the open window. `emulated`: KVM's insn_emulation now.
    mutating func mark(id: UInt64, emulated: UInt64?) {
        close(endMark: id, emulated: emulated)
        lastMark = id
    }

    /// The run ended: closes the window after the last mark.
    mutating func finish(emulated: UInt64?) {
        guard !finished else { return }
        finished = true
        close(endMark: nil, emulated: emulated)
    }

    private mutating func close(endMark: UInt64?, emulated: UInt64?) {
        var delta: UInt64?
        if let a = lastEmulated, let b = emulated, b >= a { delta = b - a }
        lastEmulated = emulated
        if windows.count < Self.windowLimit {
            var counts: [(bucket: Int, steps: UInt64)] = []
            if openSteps > 0 { for (b, n) in open.enumerated() where n > 0 { counts.append((b, n)) } }
            windows.append(Window(startMark: lastMark, endMark: endMark, counts: counts, emulated: delta))
        } else {
            droppedWindows &+= 1
        }
        if openSteps > 0 { for i in open.indices { open[i] = 0 } }
        openSteps = 0
    }

    /// The first window that `start` opens and `end` closes.
    func window(from start: UInt64, to end: UInt64) -> Window? {
        windows.first { $0.startMark == start && $0.endMark == end }
    }
}
