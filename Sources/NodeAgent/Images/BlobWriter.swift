import FoundationEssentials
import Glibc

/// One ingest of one blob into a `BlobStore`, holding that digest's ingest lock until it ends.
/// Bytes go to `ingest/<hex>.partial`, hashed and counted as they are written; `commit()`
/// checks size and digest, fsyncs and renames the file into `blobs/sha256/`. Ending:
///
/// - `commit()`: stored; or on a digest mismatch or overrun the partial is deleted and the
///   error names expected vs actual; on a short blob the partial is kept for a resume.
/// - `close()` (or deinit): the partial stays, so a later `beginIngest` resumes from it.
/// - `abort()`: the partial is deleted.
public final class BlobWriter {
    public let store: BlobStore
    public let expected: Digest
    public let expectedSize: Int64?
    /// Bytes written so far (on open: how much a resumed partial already holds).
    public private(set) var offset: Int64

    private var fd: Int32
    private var lockFD: Int32
    private var hasher = SHA256()
    private let partial: String

    init(store: BlobStore, expected: Digest, size: Int64?, lockFD: Int32) throws(BlobStoreError) {
        self.store = store
        self.expected = expected
        self.expectedSize = size
        self.lockFD = lockFD
        partial = store.partialPath(of: expected)
        fd = Glibc.open(partial, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 { throw .system(operation: "open", path: partial, errno: Errno(errno)) }
        offset = 0
        var st = stat()
        if fstat(fd, &st) < 0 { fail(); throw .system(operation: "stat", path: partial, errno: Errno(errno)) }
        if let size, Int64(st.st_size) > size {
            // Longer than the blob can be: not a prefix of it. Start over.
            if ftruncate(fd, 0) < 0 { fail(); throw .system(operation: "truncate", path: partial, errno: Errno(errno)) }
        } else if st.st_size > 0 {
            do { try BlobStore.hash(fd: fd, path: partial, into: &hasher) } catch { fail(); throw error }
        }
        offset = Int64(hasher.count)
        if lseek(fd, off_t(offset), SEEK_SET) < 0 {
            fail(); throw .system(operation: "seek", path: partial, errno: Errno(errno))
        }
    }

    deinit { close() }

    private var isOpen: Bool { fd >= 0 }

    /// Appends bytes. Writing past the expected size deletes the partial and throws.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(BlobStoreError) {
        guard isOpen else { throw .writerClosed(expected) }
        if let expectedSize, offset + Int64(bytes.count) > expectedSize {
            let actual = offset + Int64(bytes.count)
            abort()
            throw .sizeMismatch(digest: expected, expected: expectedSize, actual: actual)
        }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close()
                throw .system(operation: "write", path: partial, errno: Errno(e))
            }
            done += n
        }
        hasher.update(bytes)
        offset += Int64(bytes.count)
    }

    public func write(_ bytes: [UInt8]) throws(BlobStoreError) {
        var failure: BlobStoreError?
        bytes.withUnsafeBytes { raw in
            do throws(BlobStoreError) { try write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Verifies, syncs and stores the blob; returns its size.
    @discardableResult
    public func commit() throws(BlobStoreError) -> Int64 {
        guard isOpen else { throw .writerClosed(expected) }
        if let expectedSize, offset != expectedSize {
            let actual = offset
            close()  // short: keep the prefix for a resume
            throw .sizeMismatch(digest: expected, expected: expectedSize, actual: actual)
        }
        let actual = hasher.finalize()
        guard actual == expected else {
            abort()
            throw .digestMismatch(expected: expected, actual: actual)
        }
        if fsync(fd) < 0 { let e = errno; close(); throw .system(operation: "fsync", path: partial, errno: Errno(e)) }
        let target = store.path(of: expected)
        if rename(partial, target) < 0 {
            let e = errno; close(); throw .system(operation: "rename", path: target, errno: Errno(e))
        }
        let dir = Glibc.open(store.blobsDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { _ = fsync(dir); Glibc.close(dir) }
        // Still under the lock: waiters holding the old lock file will find the blob present.
        unlink(store.lockPath(of: expected))
        let size = offset
        close()
        return size
    }

    /// Ends the ingest, keeping the partial for a later resume.
    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
        if lockFD >= 0 { Glibc.close(lockFD); lockFD = -1 }
    }

    /// Ends the ingest and deletes the partial.
    public func abort() {
        if isOpen { unlink(partial) }
        close()
    }

    private func fail() { close() }
}
