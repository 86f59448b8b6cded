import FoundationEssentials
import Glibc

/// File-system primitives of the imperative shell. Every failure becomes a `CgroupError`
/// carrying the cgroup and the step, so callers only choose the wording.
struct CgroupFiles: Sendable {
    /// The cgroup these operations are for, as shown in errors.
    let cgroup: String

    func fail(_ step: String, _ code: Int32 = errno) -> CgroupError {
        CgroupError(cgroup: cgroup, step: step, reason: .system(errno: code))
    }

    /// Reads a whole control file. Control files are small but may be longer than one page
    /// (cgroup.procs of a busy cgroup), so read until EOF.
    func read(_ path: String, step: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail(step) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail(step)
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// nil when the file does not exist (controller absent, older kernel, cgroup gone).
    func readIfPresent(_ path: String, step: String) throws -> String? {
        do {
            return try read(path, step: step)
        } catch let error as CgroupError where error.errno == ENOENT {
            return nil
        }
    }

    /// One write(2) per value: cgroup files parse each write as one command, so a split
    /// write would be two commands. No O_CREAT: a missing file means a missing controller.
    func write(_ value: String, to path: String, step: String) throws {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw fail(step) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        while true {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw fail(step) }
            if n != bytes.count { throw fail(step, EIO) }
            return
        }
    }

    /// Returns true when this call created the directory, false when it already existed.
    func makeDirectory(_ path: String) throws -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        let code = errno
        if code == EEXIST {
            var st = stat()
            if stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { return false }
        }
        throw fail("mkdir \(path)", code)
    }

    func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Subdirectories of a cgroup directory (child cgroups).
    func childDirectories(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            if entry.pointee.d_type == UInt8(DT_DIR) { out.append(path + "/" + name) }
        }
        return out
    }

    /// Parses a "pid per line" file (cgroup.procs).
    func readPids(_ path: String, step: String) throws -> [Int32]? {
        guard let text = try readIfPresent(path, step: step) else { return nil }
        return text.split(whereSeparator: \.isNewline).compactMap { Int32($0.trimmedWhitespace) }
    }

    /// Reads a single number file; "max" reads as nil.
    func readNumber(_ path: String, step: String) throws -> UInt64? {
        guard let text = try readIfPresent(path, step: step) else { return nil }
        return UInt64(text.trimmedWhitespace)
    }

    /// Reads one key of a flat-keyed file ("oom_kill 3" in memory.events / memory.oom_control).
    func readKey(_ key: String, in path: String, step: String) throws -> UInt64? {
        guard let text = try readIfPresent(path, step: step) else { return nil }
        return CgroupFiles.value(of: key, inFlatKeyed: text)
    }

    static func value(of key: String, inFlatKeyed text: String) -> UInt64? {
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ")
            if fields.count == 2, fields[0] == key { return UInt64(fields[1]) }
        }
        return nil
    }
}
