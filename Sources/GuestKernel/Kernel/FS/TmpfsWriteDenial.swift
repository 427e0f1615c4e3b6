/// ETXTBSY (execve(2), open(2), truncate(2)): a file that some process runs
/// cannot be opened for writing or truncated, and a file open for writing
/// cannot be executed. Linux keeps one signed i_writecount per inode
/// (get_write_access / deny_write_access, fs/exec.c holds the denial for the
/// mm's exe_file); here the two signs are two counters on the tmpfs node. The
/// initramfs needs neither: it is read-only (EROFS comes first).
extension Tmpfs {
    static func writerOpened(_ node: Int) {
        guard node >= 0, let t = nodes else { return }
        t[node].writers &+= 1
    }
    static func writerClosed(_ node: Int) {
        guard node >= 0, let t = nodes else { return }
        t[node].writers &-= 1
    }
    /// Some process's image is this file: writing it would be ETXTBSY.
    static func isExecuting(_ node: Int) -> Bool {
        guard node >= 0, let t = nodes else { return false }
        return t[node].executing > 0
    }
    static func isOpenForWriting(_ node: Int) -> Bool {
        guard node >= 0, let t = nodes else { return false }
        return t[node].writers > 0
    }
    /// A process's image now comes from `node` (execve, or a fork inheriting
    /// it); the node stays alive, even unlinked, until `executionEnded`.
    static func executionStarted(_ node: Int32) {
        guard node >= 0, let t = nodes else { return }
        t[Int(node)].executing &+= 1
    }
    static func executionEnded(_ node: Int32) {
        guard node >= 0, let t = nodes else { return }
        t[Int(node)].executing &-= 1
        releaseIfUnused(Int(node))
    }
}
