import FoundationEssentials
import Glibc

/// The few filesystem operations the runtime's state needs, over plain syscalls.
enum FileSystem {
    static func makeDirectories(_ path: String, mode: mode_t = 0o711) throws(Errno) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) < 0 && errno != EEXIST { throw Errno(errno) }
        }
    }

    /// Writes a file whole or not at all: a temp file renamed over the target. No fsync: the
    /// runtime's state lives under /run (tmpfs) and describes processes that do not survive a
    /// reboot, so durability buys nothing and costs a disk flush per container.
    static func writeAtomically(_ path: String, _ data: Data, mode: mode_t = 0o600) throws(Errno) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw Errno(errno) }
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                offset += n
            }
        }
        close(fd)
        if failure == 0 && rename(tmp, path) < 0 { failure = errno }
        if failure != 0 { unlink(tmp); throw Errno(failure) }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Removes a directory tree without following symlinks out of it.
    static func removeTree(_ path: String) throws(Errno) {
        var st = stat()
        if lstat(path, &st) < 0 { if errno == ENOENT { return }; throw Errno(errno) }
        if st.st_mode & S_IFMT != S_IFDIR {
            if unlink(path) < 0 && errno != ENOENT { throw Errno(errno) }
            return
        }
        for name in try entries(path) { try removeTree(path + "/" + name) }
        if rmdir(path) < 0 && errno != ENOENT { throw Errno(errno) }
    }

    static func entries(_ path: String) throws(Errno) -> [String] {
        guard let dir = opendir(path) else { throw Errno(errno) }
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
}
