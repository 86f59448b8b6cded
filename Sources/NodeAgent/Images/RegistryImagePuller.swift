import SwiftletCSystem
import FoundationEssentials
import Glibc
import Synchronization

/// Progress of one layer's download: bytes so far of its total.
public struct PullProgress: Sendable, Equatable {
    public var layer: Digest
    public var index: Int
    public var done: Int64
    public var total: Int64
}

/// What a pull stored.
public struct PulledImage: Sendable, Equatable, Codable {
    /// The reference as pulled, canonical: `localhost:5000/x:v1`.
    public var reference: String
    /// The digest the reference resolved to (an index's, for a multi-platform image).
    public var digest: String
    /// The platform image's manifest (equal to `digest` unless an index was resolved).
    public var manifestDigest: String
    public var config: String
    /// Compressed layer blobs and their diffIDs (`layers/sha256/<diffID>` directories), in order.
    public var layerDigests: [String]
    public var diffIDs: [String]
}

/// Pulls images into the store under `store.root`:
///
///     blobs/sha256/…                   manifests, configs and layer blobs (verified)
///     layers/sha256/<diffID hex>       each layer unpacked once, overlayfs-ready
///     images/<canonical name>.json     the image record (`PulledImage`), written atomically
///
/// Layers download (and unpack) on a small pool of threads, each with its own curl handle.
/// Pulls of the same image at once share the work: the blob store's ingest locks serialise a
/// digest's download, a lock per diffID its unpack, and the loser finds the result present.
public struct ImagePuller: Sendable {
    public let store: BlobStore
    public let client: RegistryClient
    public var platform: RegistryPlatform
    public var concurrency: Int
    public var unpacker: LayerUnpacker

    public init(store: BlobStore, client: RegistryClient, platform: RegistryPlatform = .host,
                concurrency: Int = 3, unpacker: LayerUnpacker = LayerUnpacker()) {
        self.store = store
        self.client = client
        self.platform = platform
        self.concurrency = max(1, concurrency)
        self.unpacker = unpacker
    }

    var layersDirectory: String { store.root + "/layers/sha256" }
    var imagesDirectory: String { store.root + "/images" }

    public func layerPath(_ diffID: Digest) -> String { layersDirectory + "/" + diffID.hex }
    public func recordPath(_ reference: ImageReference) -> String { imagesDirectory + "/" + reference.description + ".json" }

    /// The record a pull wrote, or nil.
    public func record(_ reference: ImageReference) -> PulledImage? {
        guard let bytes = try? readFile(recordPath(reference)) else { return nil }
        return try? JSONDecoder().decode(PulledImage.self, from: Data(bytes))
    }

    @discardableResult
    public func pull(_ reference: ImageReference,
                     progress: (@Sendable (PullProgress) -> Void)? = nil) throws(RegistryError) -> PulledImage {
        let label = reference.description
        var top = try client.manifest(reference)
        let topDigest = top.digest
        try storeBytes(top, label: label)
        if top.isIndex {
            let index: RegistryImageIndex
            do { index = try top.index() } catch { throw .invalidManifest(reference: label, reason: "\(error)") }
            guard let chosen = platform.select(from: index) else {
                throw .noMatchingPlatform(reference: label, wanted: platform.description,
                                          available: index.manifests.compactMap { $0.platform?.description })
            }
            let digest = try parseDigest(chosen.digest, label: label)
            top = try client.manifest(reference, digest: digest)
            guard !top.isIndex else { throw .invalidManifest(reference: label, reason: "an index inside an index") }
            try storeBytes(top, label: label)
        }
        let manifest: RegistryImageManifest
        do { manifest = try top.manifest() } catch { throw .invalidManifest(reference: label, reason: "\(error)") }
        guard RegistryMediaType.isConfig(manifest.config.mediaType) else {
            throw .unsupportedMediaType(reference: label, mediaType: manifest.config.mediaType)
        }
        // Every layer type must be readable before anything is downloaded.
        for layer in manifest.layers {
            do { _ = try LayerCompression(mediaType: layer.mediaType) } catch {
                throw .unsupportedMediaType(reference: label, mediaType: layer.mediaType)
            }
        }
        let configDigest = try parseDigest(manifest.config.digest, label: label)
        try client.fetchBlob(reference, digest: configDigest, size: manifest.config.size, into: store)
        let config: RegistryImageConfig
        do {
            config = try JSONDecoder().decode(RegistryImageConfig.self, from: Data(try store.read(configDigest)))
        } catch { throw .invalidManifest(reference: label, reason: "image config \(configDigest): \(error)") }
        guard config.rootfs.diff_ids.count == manifest.layers.count else {
            throw .invalidManifest(reference: label, reason: "\(manifest.layers.count) layers but \(config.rootfs.diff_ids.count) diff_ids")
        }
        var layerDigests: [Digest] = []
        var diffIDs: [Digest] = []
        for (layer, diff) in zip(manifest.layers, config.rootfs.diff_ids) {
            layerDigests.append(try parseDigest(layer.digest, label: label))
            diffIDs.append(try parseDigest(diff, label: label))
        }

        do { try FileSystem.makeDirectories(layersDirectory, mode: 0o700) } catch {
            throw .system(reference: label, operation: "create directory", path: layersDirectory, errno: error)
        }
        let failures = Mutex<[Int: RegistryError]>([:])
        let layers = manifest.layers
        let this = self
        let blobs = layerDigests, diffs = diffIDs
        runOnThreads(count: layers.count, width: concurrency) { i in
            if failures.withLock({ !$0.isEmpty }) { return }  // one failed: start no more
            do throws(RegistryError) {
                let digest = blobs[i]
                try this.client.fetchBlob(reference, digest: digest, size: layers[i].size, into: this.store) { done, total in
                    progress?(PullProgress(layer: digest, index: i, done: done, total: total ?? layers[i].size))
                }
                try this.unpackOnce(digest, mediaType: layers[i].mediaType, diffID: diffs[i], label: label)
            } catch {
                failures.withLock { $0[i] = error }
            }
        }
        if let first = failures.withLock({ $0.sorted { $0.key < $1.key }.first?.value }) { throw first }

        let record = PulledImage(reference: label, digest: topDigest.description, manifestDigest: top.digest.description,
                                 config: configDigest.description, layerDigests: layerDigests.map(\.description),
                                 diffIDs: diffIDs.map(\.description))
        try writeRecord(record, to: recordPath(reference), label: label)
        return record
    }

    // MARK: steps

    private func parseDigest(_ text: String, label: String) throws(RegistryError) -> Digest {
        do { return try Digest(text) } catch { throw .invalidManifest(reference: label, reason: error.description) }
    }

    private func storeBytes(_ m: FetchedManifest, label: String) throws(RegistryError) {
        do { try store.ingest(m.digest, bytes: m.bytes) } catch { throw .blobStore(reference: label, error) }
    }

    /// Unpacks layer blob `digest` into `layers/sha256/<diffID>` unless there already: into a
    /// temp directory first, renamed into place, under a per-diffID lock.
    func unpackOnce(_ digest: Digest, mediaType: String, diffID: Digest, label: String) throws(RegistryError) {
        let target = layerPath(diffID)
        if FileSystem.exists(target) { return }
        let lockPath = layersDirectory + "/." + diffID.hex + ".lock"
        let lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if lockFD < 0 { throw .system(reference: label, operation: "open", path: lockPath, errno: Errno(errno)) }
        defer { close(lockFD) }
        while flock(lockFD, LOCK_EX) < 0 {
            if errno != EINTR { throw .system(reference: label, operation: "lock", path: lockPath, errno: Errno(errno)) }
        }
        if FileSystem.exists(target) { return }
        // Removed while still locked, success or failure: a waiter then finds the layer, or
        // retries the unpack itself; a failed pull leaves no lock file behind.
        defer { unlink(lockPath) }
        let tmp = layersDirectory + "/." + diffID.hex + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd: Int32
        do { fd = try store.open(digest) } catch { throw .blobStore(reference: label, error) }
        defer { close(fd) }
        do {
            try unpacker.unpack(FileDescriptorSource(fd: fd), mediaType: mediaType, into: tmp, expectedDiffID: diffID)
        } catch {
            throw .layer(reference: label, digest: digest, error)  // the unpacker removed tmp
        }
        if rename(tmp, target) < 0 {
            let e = errno
            try? FileSystem.removeTree(tmp)
            throw .system(reference: label, operation: "rename", path: target, errno: Errno(e))
        }
    }

    func writeRecord(_ record: PulledImage, to path: String, label: String) throws(RegistryError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(record) } catch {
            throw .invalidManifest(reference: label, reason: "encoding the image record: \(error)")
        }
        let dir = String(path[..<path.lastIndex(of: "/")!])
        do { try FileSystem.makeDirectories(dir, mode: 0o700) } catch {
            throw .system(reference: label, operation: "create directory", path: dir, errno: error)
        }
        // A name of our own (two pulls of one image may write at once), synced, renamed over.
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 { throw .system(reference: label, operation: "create", path: tmp, errno: Errno(errno)) }
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                off += n
            }
        }
        if failure == 0 && fsync(fd) < 0 { failure = errno }
        close(fd)
        if failure == 0 && rename(tmp, path) < 0 { failure = errno }
        if failure != 0 {
            unlink(tmp)
            throw .system(reference: label, operation: "write", path: path, errno: Errno(failure))
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    private func readFile(_ path: String) throws(Errno) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw Errno(errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw Errno(errno) }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}

/// Runs `body(0..<count)` on up to `width` threads (this one included) and waits for all.
/// Plain threads, not Swift tasks: each body blocks in curl and in file I/O, which must not
/// hold the cooperative pool (two threads on a two-core node).
func runOnThreads(count: Int, width: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Job: Sendable {
        let next = Mutex(0)
        let count: Int
        let body: @Sendable (Int) -> Void
        init(count: Int, body: @escaping @Sendable (Int) -> Void) { self.count = count; self.body = body }
        func drain() {
            while true {
                let i = next.withLock { n in defer { n += 1 }; return n }
                if i >= count { return }
                body(i)
            }
        }
    }
    let job = Job(count: count, body: body)
    var threads: [pthread_t] = []
    for _ in 0..<max(0, min(width, count) - 1) {
        var tid = pthread_t()
        let arg = Unmanaged.passRetained(job).toOpaque()
        let rc = pthread_create(&tid, nil, { raw in
            let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
            job.drain()
            return nil
        }, arg)
        if rc == 0 { threads.append(tid) } else { Unmanaged<Job>.fromOpaque(arg).release() }
    }
    job.drain()
    for t in threads { pthread_join(t, nil) }
}
