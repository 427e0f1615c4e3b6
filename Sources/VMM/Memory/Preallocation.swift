import Glibc
import SystemPackage

/// How guest RAM is prepared before the guest runs, and what it cost.
struct PreallocationOptions: Equatable {
    /// Populate every page and lock it (QEMU's `-mem-prealloc` + `mem-lock`).
    var prealloc = false
    /// Ask for transparent huge pages (madvise(MADV_HUGEPAGE)): on by
    /// default, as QEMU advises them for guest RAM.
    var hugePages = true
    /// Threads that populate in parallel; 0 = one per online CPU.
    var threads = 0
}

struct PreallocationReport: Equatable {
    var hugePagesAdvised = false
    var populateNanos: UInt64 = 0
    var lockNanos: UInt64 = 0
    var threads = 0
    /// Why a step was skipped or degraded, for the report (e.g. THP disabled).
    var notes: [String] = []
}

enum Preallocation {
    static let hugePageSize = 2 << 20

    /// Applies the options to freshly mapped guest RAM.
    static func prepare(_ memory: GuestMemory, _ options: PreallocationOptions) throws -> PreallocationReport {
        var report = PreallocationReport()
        if options.hugePages {
            if madvise(memory.base, Int(memory.size), MADV_HUGEPAGE) == 0 {
                report.hugePagesAdvised = true
            } else {
                report.notes.append("madvise(MADV_HUGEPAGE) failed: \(Errno.lastError) (transparent huge pages unavailable)")
            }
        }
        guard options.prealloc else { return report }

        let threads = options.threads > 0 ? options.threads : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        report.threads = threads
        let t0 = monotonicNanos()
        try populate(memory, threads: threads)
        let t1 = monotonicNanos()
        // Lock after populating: mlock of present pages only pins them.
        guard mlock(memory.base, Int(memory.size)) == 0 else {
            throw MemoryError.lock(size: memory.size, Errno.lastError)
        }
        report.populateNanos = t1 - t0
        report.lockNanos = monotonicNanos() - t1
        return report
    }

    /// Writes-faults every page with MADV_POPULATE_WRITE (Linux 5.14), split
    /// into 2 MiB-aligned chunks over `threads` threads. Falls back to
    /// touching one byte per page where the kernel lacks the advice.
    static func populate(_ memory: GuestMemory, threads: Int) throws {
        let total = Int(memory.size)
        let n = max(1, min(threads, total / hugePageSize))
        var share = (total / n + hugePageSize - 1) / hugePageSize * hugePageSize
        if share == 0 { share = total }
        var jobs: [PopulateJob] = []
        var start = 0
        while start < total {
            let len = min(share, total - start)
            jobs.append(PopulateJob(base: memory.base + start, length: len))
            start += len
        }
        var tids: [pthread_t] = []
        for job in jobs.dropFirst() {
            var tid = pthread_t()
            let ctx = Unmanaged.passRetained(job).toOpaque()
            if pthread_create(&tid, nil, { raw in
                let job = Unmanaged<PopulateJob>.fromOpaque(raw!).takeRetainedValue()
                job.run()
                return nil
            }, ctx) == 0 {
                tids.append(tid)
            } else {
                Unmanaged<PopulateJob>.fromOpaque(ctx).release()
                job.run()   // no thread: do it here
            }
        }
        jobs[0].run()
        for t in tids { pthread_join(t, nil) }
        if let failed = jobs.first(where: { $0.error != nil }), let e = failed.error {
            throw MemoryError.populate(e)
        }
    }
}

/// One thread's share of the populate work.
final class PopulateJob {
    let base: UnsafeMutableRawPointer
    let length: Int
    var error: Errno?

    init(base: UnsafeMutableRawPointer, length: Int) {
        self.base = base
        self.length = length
    }

    func run() {
        if madvise(base, length, MADV_POPULATE_WRITE) == 0 { return }
        let e = Errno.lastError
        guard e == .invalidArgument else { error = e; return }  // EINVAL: kernel < 5.14
        var offset = 0
        while offset < length {
            // RAM is still fresh (populated before anything is loaded), so
            // storing zero changes nothing but faults the page in.
            (base + offset).storeBytes(of: 0, as: UInt8.self)
            offset += 4096
        }
    }
}
