import FoundationEssentials
import Glibc

/// A content-addressed store of blobs (layers, configs, manifests) under one root:
///
///     <root>/blobs/sha256/<hex>       committed blobs, named by the sha256 of their bytes
///     <root>/ingest/<hex>.partial     an ingest in progress (or cut off, to be resumed)
///     <root>/ingest/<hex>.lock        flock(2)ed by the one writer of that digest
///
/// A blob appears under `blobs/` only by rename after its size and digest were verified and its
/// bytes fsynced, so anything there is whole and correct. See `BlobWriter` for ingesting.
public struct BlobStore: Sendable {
    public static let defaultRoot = "/var/lib/swiftlet/images"

    public let root: String

    /// Opens (creating if needed) the store at `root`.
    public init(root: String = BlobStore.defaultRoot) throws(BlobStoreError) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        for dir in [blobsDirectory, ingestDirectory] {
            do { try FileSystem.makeDirectories(dir, mode: 0o700) } catch {
                throw .system(operation: "create directory", path: dir, errno: error)
            }
        }
    }

    var blobsDirectory: String { root + "/blobs/sha256" }
    var ingestDirectory: String { root + "/ingest" }

    /// Where the committed blob lives (whether or not it exists).
    public func path(of digest: Digest) -> String { blobsDirectory + "/" + digest.hex }
    func partialPath(of digest: Digest) -> String { ingestDirectory + "/" + digest.hex + ".partial" }
    func lockPath(of digest: Digest) -> String { ingestDirectory + "/" + digest.hex + ".lock" }

    public func has(_ digest: Digest) -> Bool {
        guard digest.algorithm == .sha256 else { return false }
        var st = stat()
        return lstat(path(of: digest), &st) == 0 && st.st_mode & S_IFMT == S_IFREG
    }

    public func size(of digest: Digest) throws(BlobStoreError) -> Int64 {
        var st = stat()
        guard digest.algorithm == .sha256 else { throw .notFound(digest) }
        if lstat(path(of: digest), &st) < 0 {
            if errno == ENOENT { throw .notFound(digest) }
            throw .system(operation: "stat", path: path(of: digest), errno: Errno(errno))
        }
        return Int64(st.st_size)
    }

    /// An open read-only descriptor of the blob; the caller closes it.
    public func open(_ digest: Digest) throws(BlobStoreError) -> Int32 {
        guard digest.algorithm == .sha256 else { throw .notFound(digest) }
        let p = path(of: digest)
        let fd = Glibc.open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { throw .notFound(digest) }
            throw .system(operation: "open", path: p, errno: Errno(errno))
        }
        return fd
    }

    /// The whole blob (for manifests and configs; stream layers through `open`).
    public func read(_ digest: Digest) throws(BlobStoreError) -> [UInt8] {
        let fd = try open(digest)
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "read", path: path(of: digest), errno: Errno(errno))
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// Rehashes a committed blob: true if its bytes still match its name.
    public func verify(_ digest: Digest) throws(BlobStoreError) -> Bool {
        let fd = try open(digest)
        defer { close(fd) }
        var hasher = SHA256()
        try BlobStore.hash(fd: fd, path: path(of: digest), into: &hasher)
        return hasher.finalize() == digest
    }

    /// Removes a committed blob. Deleting a missing blob is an error (`notFound`).
    public func delete(_ digest: Digest) throws(BlobStoreError) {
        guard digest.algorithm == .sha256 else { throw .notFound(digest) }
        if unlink(path(of: digest)) < 0 {
            if errno == ENOENT { throw .notFound(digest) }
            throw .system(operation: "unlink", path: path(of: digest), errno: Errno(errno))
        }
    }

    /// Every committed blob, sorted.
    public func list() throws(BlobStoreError) -> [Digest] {
        let names: [String]
        do { names = try FileSystem.entries(blobsDirectory) } catch {
            throw .system(operation: "list", path: blobsDirectory, errno: error)
        }
        return names.compactMap { try? Digest(algorithm: .sha256, hex: $0) }
    }

    /// Bytes already ingested towards `digest` by a cut-off ingest (0 if none).
    public func partialSize(of digest: Digest) -> Int64 {
        var st = stat()
        return lstat(partialPath(of: digest), &st) == 0 ? Int64(st.st_size) : 0
    }

    // MARK: ingest

    public enum IngestStart {
        /// The blob is already stored (perhaps by a concurrent ingest that we waited for).
        case present(size: Int64)
        /// Write the bytes from `writer.offset` on, then `commit()`.
        case writer(BlobWriter)
    }

    /// Starts (or resumes) ingesting the blob `expected`, of `size` bytes if known. Waits while
    /// another writer, in this process or another, ingests the same digest; if that one commits,
    /// returns `.present` instead of a writer. A partial file left by a cut-off ingest is
    /// rehashed and continued: `writer.offset` says where the bytes should resume.
    public func beginIngest(_ expected: Digest, size: Int64? = nil) throws(BlobStoreError) -> IngestStart {
        guard expected.algorithm == .sha256 else { throw .unsupportedAlgorithm(expected) }
        if let present = try? self.size(of: expected) { return .present(size: present) }
        let lock = lockPath(of: expected)
        let lockFD = Glibc.open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if lockFD < 0 { throw .system(operation: "open", path: lock, errno: Errno(errno)) }
        while flock(lockFD, LOCK_EX) < 0 {
            if errno == EINTR { continue }
            let e = errno
            close(lockFD)
            throw .system(operation: "lock", path: lock, errno: Errno(e))
        }
        // Under the lock: the previous holder may have committed it.
        if let present = try? self.size(of: expected) {
            close(lockFD)
            return .present(size: present)
        }
        do {
            return .writer(try BlobWriter(store: self, expected: expected, size: size, lockFD: lockFD))
        } catch {
            close(lockFD)
            throw error
        }
    }

    /// Ingests a blob held in memory (manifests, configs, tests). Resumes a partial if present.
    @discardableResult
    public func ingest(_ expected: Digest, size: Int64? = nil, bytes: [UInt8]) throws(BlobStoreError) -> Int64 {
        switch try beginIngest(expected, size: size ?? Int64(bytes.count)) {
        case .present(let size): return size
        case .writer(let writer):
            let start = Int(min(writer.offset, Int64(bytes.count)))
            do {
                try writer.write(Array(bytes[start...]))
                return try writer.commit()
            } catch {
                writer.close()
                throw error
            }
        }
    }

    /// Feeds the rest of `fd` (to end of file) into `hasher`.
    static func hash(fd: Int32, path: String, into hasher: inout SHA256) throws(BlobStoreError) {
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "read", path: path, errno: Errno(errno))
            }
            if n == 0 { return }
            chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }
}
