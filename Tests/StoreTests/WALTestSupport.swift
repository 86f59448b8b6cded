import Glibc
@testable import Store

/// A fresh directory under /tmp, removed (recursively) by `remove()`.
struct WALTempDir {
    let path: String

    init() {
        var template = Array("/tmp/swiftlet-wal-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func sub(_ name: String) -> String { path + "/" + name }

    func remove() { Self.removeTree(path) }

    static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in (try? WALFS.list(path)) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

enum WALTestFiles {
    static func read(_ path: String) throws -> [UInt8] { try WALFS.readAll(path) }

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        let fd = try WALFS.open(path, O_WRONLY | O_CREAT | O_TRUNC)
        defer { WALFS.close(fd) }
        try WALFS.writeAll(fd, bytes, at: 0, path: path)
    }

    static func size(_ path: String) throws -> Int { try read(path).count }
}

func walEntries(_ range: ClosedRange<UInt64>, term: UInt64, size: Int = 24) -> [RaftEntry] {
    range.map { i in
        RaftEntry(term: term, index: i, kind: i % 7 == 0 ? .confChange : .normal,
                  data: (0..<size).map { UInt8(truncatingIfNeeded: Int(i) &* 31 &+ $0 &+ 1) | 1 })
    }
}
