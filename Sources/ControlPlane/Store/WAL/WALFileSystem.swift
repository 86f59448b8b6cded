// Thin wrappers over the Glibc calls the log and the snapshot store need, turning failures into
// `WALError.io` with the path and errno. Every durability step is explicit at the call site.

import Glibc

enum WALFS {
    static func join(_ dir: String, _ name: String) -> String { dir.hasSuffix("/") ? dir + name : dir + "/" + name }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(WALError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw .io(operation: "open", path: path, errno: errno) }
        }
    }

    static func close(_ fd: Int32) { _ = Glibc.close(fd) }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// mkdir -p, syncing the parent of every directory it creates so the new entries survive a crash.
    static func makeDirectory(_ path: String) throws(WALError) {
        if exists(path) { return }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var current = path.hasPrefix("/") ? "" : "."
        for part in parts {
            let parent = current.isEmpty ? "/" : current
            current += "/" + part
            if mkdir(current, 0o755) == 0 {
                try syncDirectory(parent)
            } else if errno != EEXIST {
                throw .io(operation: "mkdir", path: current, errno: errno)
            }
        }
    }

    static func list(_ path: String) throws(WALError) -> [String] {
        guard let dir = opendir(path) else { throw .io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func size(_ fd: Int32, path: String) throws(WALError) -> Int {
        var st = stat()
        if fstat(fd, &st) != 0 { throw .io(operation: "fstat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws(WALError) {
        var done = 0
        let failure: Int32? = bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        if let e = failure { throw .io(operation: "write", path: path, errno: e) }
    }

    static func readAll(_ path: String) throws(WALError) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        let total = try size(fd, path: path)
        var bytes = [UInt8](repeating: 0, count: total)
        var done = 0
        let failure: Int32? = bytes.withUnsafeMutableBytes { raw in
            while done < total {
                let n = pread(fd, raw.baseAddress! + done, total - done, off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { break }
                done += n
            }
            return nil
        }
        if let e = failure { throw .io(operation: "read", path: path, errno: e) }
        return Array(bytes[0..<done])
    }

    static func syncData(_ fd: Int32, path: String) throws(WALError) {
        if fdatasync(fd) != 0 { throw .io(operation: "fdatasync", path: path, errno: errno) }
    }

    static func sync(_ fd: Int32, path: String) throws(WALError) {
        if fsync(fd) != 0 { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    /// Makes creations, renames and removals in `dir` durable.
    static func syncDirectory(_ dir: String) throws(WALError) {
        let fd = try open(dir, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try sync(fd, path: dir)
    }

    static func truncate(_ fd: Int32, to length: Int, path: String) throws(WALError) {
        if ftruncate(fd, off_t(length)) != 0 { throw .io(operation: "ftruncate", path: path, errno: errno) }
    }

    /// Reserves (zero-filled) space up to `length`; falls back to extending the size where the file
    /// system cannot allocate (the tail still reads as zeros).
    static func preallocate(_ fd: Int32, to length: Int, path: String) throws(WALError) {
        let rc = posix_fallocate(fd, 0, off_t(length))
        if rc == 0 { return }
        if rc == EOPNOTSUPP || rc == EINVAL {
            if try size(fd, path: path) < length { try truncate(fd, to: length, path: path) }
            return
        }
        throw .io(operation: "fallocate", path: path, errno: rc)
    }

    static func rename(_ from: String, _ to: String) throws(WALError) {
        if Glibc.rename(from, to) != 0 { throw .io(operation: "rename", path: from + " -> " + to, errno: errno) }
    }

    static func remove(_ path: String) throws(WALError) {
        if unlink(path) != 0 && errno != ENOENT { throw .io(operation: "unlink", path: path, errno: errno) }
    }

    /// Takes an exclusive, non-blocking flock on `path` (created if needed); returns the descriptor that
    /// holds it. The lock lives as long as the descriptor, and also excludes other descriptors of this process.
    static func lock(_ path: String, lockedError: WALError) throws(WALError) -> Int32 {
        let fd = try open(path, O_RDWR | O_CREAT)
        // A lock released a moment ago can still be held briefly: a thread of this process spawning a child
        // (posix_spawn) gives the child every descriptor until it execs, O_CLOEXEC ones included. So a busy
        // lock is retried for a short while; a real second user holds it far longer.
        var attempts = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            if e == EWOULDBLOCK && attempts < 40 {
                attempts += 1
                var ts = timespec(tv_sec: 0, tv_nsec: 5_000_000)
                nanosleep(&ts, nil)
                continue
            }
            close(fd)
            if e == EWOULDBLOCK { throw lockedError }
            throw .io(operation: "flock", path: path, errno: e)
        }
        return fd
    }
}
