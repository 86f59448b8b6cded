import Foundation
import Glibc
import Testing
@testable import NodeAgent

@Suite("Image blob store")
struct ImageBlobStoreTests {
    let tmp = ImageTempDir("blobs")
    var store: BlobStore { try! BlobStore(root: tmp.path + "/store") }

    static let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    static let digest = Digest.sha256(of: data)

    func ingestFiles(_ s: BlobStore) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: s.ingestDirectory).filter { $0.hasSuffix(".partial") }) ?? []
    }

    @Test func ingestReadSizeDelete() throws {
        let s = store
        #expect(!s.has(Self.digest))
        #expect(try s.ingest(Self.digest, bytes: Self.data) == 10_000)
        #expect(s.has(Self.digest))
        #expect(try s.size(of: Self.digest) == 10_000)
        #expect(try s.read(Self.digest) == Self.data)
        #expect(try s.verify(Self.digest))
        #expect(try s.list() == [Self.digest])
        #expect(FileManager.default.fileExists(atPath: tmp.path + "/store/blobs/sha256/" + Self.digest.hex))
        #expect(ingestFiles(s).isEmpty)
        // Again: already present, nothing written.
        guard case .present(let size) = try s.beginIngest(Self.digest) else { Issue.record("not present"); return }
        #expect(size == 10_000)
        try s.delete(Self.digest)
        #expect(!s.has(Self.digest))
        #expect(throws: BlobStoreError.notFound(Self.digest)) { try s.read(Self.digest) }
        #expect(throws: BlobStoreError.notFound(Self.digest)) { try s.delete(Self.digest) }
        #expect(throws: BlobStoreError.notFound(Self.digest)) { try s.size(of: Self.digest) }
    }

    @Test func digestMismatchLeavesNothing() throws {
        let s = store
        var wrong = Self.data
        wrong[5000] ^= 1
        do {
            try s.ingest(Self.digest, bytes: wrong)
            Issue.record("accepted wrong bytes")
        } catch {
            #expect(error == .digestMismatch(expected: Self.digest, actual: Digest.sha256(of: wrong)))
            #expect(error.description.contains("expected \(Self.digest), got \(Digest.sha256(of: wrong))"))
        }
        #expect(!s.has(Self.digest))
        #expect(!s.has(Digest.sha256(of: wrong)))
        #expect(try s.list().isEmpty)
        #expect(ingestFiles(s).isEmpty)
    }

    @Test func sizeMismatch() throws {
        let s = store
        // Announced smaller than the bytes: refused at the write that overruns, partial gone.
        #expect(throws: BlobStoreError.sizeMismatch(digest: Self.digest, expected: 100, actual: 10_000)) {
            try s.ingest(Self.digest, size: 100, bytes: Self.data)
        }
        #expect(!s.has(Self.digest) && ingestFiles(s).isEmpty)
        // Announced larger: the blob is short at commit.
        guard case .writer(let w) = try s.beginIngest(Self.digest, size: 20_000) else { Issue.record(); return }
        try w.write(Self.data)
        #expect(throws: BlobStoreError.sizeMismatch(digest: Self.digest, expected: 20_000, actual: 10_000)) { try w.commit() }
        #expect(!s.has(Self.digest))
        #expect(throws: BlobStoreError.writerClosed(Self.digest)) { try w.write([1]) }
    }

    @Test func resumeAfterACut() throws {
        let s = store
        guard case .writer(let first) = try s.beginIngest(Self.digest, size: 10_000) else { Issue.record(); return }
        #expect(first.offset == 0)
        try first.write(Array(Self.data[..<3333]))
        first.close()  // the connection dropped
        #expect(!s.has(Self.digest))
        #expect(s.partialSize(of: Self.digest) == 3333)

        guard case .writer(let second) = try s.beginIngest(Self.digest, size: 10_000) else { Issue.record(); return }
        #expect(second.offset == 3333)  // rehashed, continues where the cut was
        try second.write(Array(Self.data[3333...]))
        #expect(try second.commit() == 10_000)
        #expect(try s.read(Self.digest) == Self.data)
        #expect(ingestFiles(s).isEmpty)
    }

    @Test func resumeFromACorruptPartialFailsCleanly() throws {
        let s = store
        let partial = s.partialPath(of: Self.digest)
        var bad = Array(Self.data[..<100]); bad[0] ^= 0xff
        FileManager.default.createFile(atPath: partial, contents: Data(bad))
        #expect(throws: BlobStoreError.self) { try s.ingest(Self.digest, bytes: Self.data) }
        #expect(!s.has(Self.digest) && ingestFiles(s).isEmpty)
        // The retry starts from zero and succeeds.
        try s.ingest(Self.digest, bytes: Self.data)
        #expect(s.has(Self.digest))
    }

    @Test func aPartialLongerThanTheBlobStartsOver() throws {
        let s = store
        FileManager.default.createFile(atPath: s.partialPath(of: Self.digest), contents: Data(Self.data + [1, 2, 3]))
        guard case .writer(let w) = try s.beginIngest(Self.digest, size: 10_000) else { Issue.record(); return }
        #expect(w.offset == 0)
        try w.write(Self.data)
        #expect(try w.commit() == 10_000)
        #expect(try s.verify(Self.digest))
    }

    @Test func concurrentIngestsShareTheWork() throws {
        let s = store
        guard case .writer(let first) = try s.beginIngest(Self.digest, size: 10_000) else { Issue.record(); return }
        try first.write(Array(Self.data[..<5000]))
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var secondResult: String = "unset"
        Thread {
            switch try? s.beginIngest(Self.digest, size: 10_000) {
            case .present(let size)?: secondResult = "present \(size)"
            case .writer(let w)?: secondResult = "writer at \(w.offset)"; w.close()
            case nil: secondResult = "error"
            }
            done.signal()
        }.start()
        // The second waits on the lock while the first holds it.
        #expect(done.wait(timeout: .now() + 0.2) == .timedOut)
        try first.write(Array(Self.data[5000...]))
        try first.commit()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(secondResult == "present 10000")
    }

    @Test func onlySha256() throws {
        let d = try Digest("sha512:" + String(repeating: "a", count: 128))
        #expect(throws: BlobStoreError.unsupportedAlgorithm(d)) { try store.beginIngest(d) }
        #expect(!store.has(d))
    }
}
