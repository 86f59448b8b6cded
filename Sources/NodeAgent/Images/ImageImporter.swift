import SwiftletCSystem
import FoundationEssentials
import Glibc

/// Why an import failed, naming the archive.
public struct ImageImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var archive: String
    public var reason: String
    public init(archive: String, reason: String) { self.archive = archive; self.reason = reason }
    public var description: String { "import \(archive): \(reason)" }
}

/// Imports image archives into the store of an `ImagePuller`, so a node runs images with no
/// registry: an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) or a
/// `docker save` archive (`manifest.json`), either possibly gzip-compressed.
///
/// The archive is streamed once: every `blobs/sha256/<hex>` file is ingested (and verified)
/// under its name, every other large file under the digest of its bytes, small JSON documents
/// are kept in memory. Then each image is checked whole (manifests, configs, every referenced
/// blob present in the archive) before any layer is unpacked (once, atomically, as a pull does)
/// and the records are written only after every image of the archive succeeded. Verified blobs
/// of a failed import stay in the store for `prune`; no record or half layer is left.
public struct ImageImporter: Sendable {
    public let puller: ImagePuller
    public var store: BlobStore { puller.store }

    public static let refNameAnnotation = "org.opencontainers.image.ref.name"
    public static let containerdNameAnnotation = "io.containerd.image.name"
    /// Files at most this big, not under `blobs/`, named `*.json`, `repositories`, `oci-layout` (or
    /// a legacy docker save's `<id>/json`, `<id>/VERSION`) are read into memory; others are stored.
    static let metadataLimit: Int64 = 16 << 20
    static let stateFile = "imported-archives"

    public init(puller: ImagePuller) { self.puller = puller }
    public init(store: BlobStore) { self.init(puller: ImagePuller(store: store, client: RegistryClient())) }

    // MARK: archive

    /// Imports every image in the archive at `path`. `name` names images the archive leaves
    /// unnamed (an OCI `ref.name` that is only a tag is appended to it).
    @discardableResult
    public func importArchive(_ path: String, name: String? = nil) throws(ImageImportError) -> [PulledImage] {
        func fail(_ reason: String) -> ImageImportError { ImageImportError(archive: path, reason: reason) }
        let contents = try read(path)
        let planned: [Planned]
        if contents.metadata["index.json"] != nil && contents.metadata["oci-layout"] != nil {
            planned = try planOCI(contents, name: name, fail: fail)
        } else if contents.metadata["manifest.json"] != nil {
            planned = try planDocker(contents, name: name, fail: fail)
        } else if contents.metadata["repositories"] != nil {
            throw fail("a legacy docker save archive (repositories without manifest.json) is not supported")
        } else {
            throw fail("neither an OCI image layout (oci-layout, index.json) nor a docker save archive (manifest.json)")
        }
        if planned.isEmpty { throw fail("the archive holds no image") }
        do {
            try FileSystem.makeDirectories(puller.layersDirectory, mode: 0o700)
        } catch {
            throw fail("create directory \(puller.layersDirectory): \(error)")
        }
        for image in planned {
            for (i, layer) in image.layers.enumerated() {
                do {
                    try puller.unpackOnce(layer.digest, mediaType: layer.mediaType, diffID: image.diffIDs[i],
                                          label: image.reference.description)
                } catch { throw fail("\(error)") }
            }
        }
        var records: [PulledImage] = []
        for image in planned {
            let record = PulledImage(reference: image.reference.description, digest: image.digest.description,
                                     manifestDigest: image.manifestDigest.description, config: image.config.description,
                                     layerDigests: image.layers.map(\.digest.description),
                                     diffIDs: image.diffIDs.map(\.description))
            do { try puller.writeRecord(record, to: puller.recordPath(image.reference), label: record.reference) } catch {
                throw fail("\(error)")
            }
            records.append(record)
        }
        return records
    }

    struct Planned {
        var reference: ImageReference
        var digest: Digest
        var manifestDigest: Digest
        var config: Digest
        var layers: [(digest: Digest, mediaType: String)]
        var diffIDs: [Digest]
    }

    /// What streaming an archive left behind.
    struct Contents {
        var metadata: [String: [UInt8]] = [:]
        /// Every other regular file: the digest its bytes are stored under.
        var files: [String: Digest] = [:]
        /// Links (symlinks and hard links), resolved to archive paths.
        var links: [String: String] = [:]
        /// Every digest whose bytes the archive held.
        var digests: Set<Digest> = []

        func resolve(_ path: String) -> String {
            var p = normalise(path) ?? path
            for _ in 0..<16 { guard let next = links[p] else { break }; p = next }
            return p
        }
    }

    /// `a/./b/` → `a/b`; nil for a path that climbs out with `..`.
    static func normalise(_ path: String) -> String? {
        var out: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if out.isEmpty { return nil }; out.removeLast(); continue }
            out.append(part)
        }
        return out.joined(separator: "/")
    }

    private func read(_ path: String) throws(ImageImportError) -> Contents {
        func fail(_ reason: String) -> ImageImportError { ImageImportError(archive: path, reason: reason) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw fail("open: \(Errno(errno))") }
        defer { close(fd) }
        var magic: [UInt8] = [0, 0]
        let got = magic.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 2) }
        _ = lseek(fd, 0, SEEK_SET)
        var contents = Contents()
        var entries = 0
        do {
            let file = FileDescriptorSource(fd: fd)
            let source: ByteSource = got == 2 && magic == [0x1f, 0x8b] ? try GzipSource(file) : file
            let reader = TarReader(source)
            while let entry = try reader.next() {
                entries += 1
                guard let name = Self.normalise(entry.path), !name.isEmpty else { continue }
                switch entry.kind {
                case .symlink:
                    let base = name.split(separator: "/").dropLast().joined(separator: "/")
                    let target = entry.linkTarget.hasPrefix("/") ? entry.linkTarget : base + "/" + entry.linkTarget
                    if let t = Self.normalise(target) { contents.links[name] = t }
                case .hardLink:
                    if let t = Self.normalise(entry.linkTarget) { contents.links[name] = t }
                case .file:
                    let parts = name.split(separator: "/")
                    if parts.count == 3, parts[0] == "blobs", parts[1] == "sha256",
                       let digest = try? Digest(algorithm: .sha256, hex: String(parts[2])) {
                        try ingest(reader, entry: entry, expected: digest, archive: path)
                        contents.files[name] = digest
                        contents.digests.insert(digest)
                    } else if entry.size <= Self.metadataLimit,
                              name.hasSuffix(".json") || name == "repositories" || name == "oci-layout"
                                  || name.hasSuffix("/json") || name.hasSuffix("/VERSION") {  // legacy per-layer files
                        contents.metadata[name] = try readAll(reader, size: entry.size)
                    } else {
                        let digest = try stage(reader, entry: entry, archive: path)
                        contents.files[name] = digest
                        contents.digests.insert(digest)
                    }
                default:
                    continue
                }
            }
        } catch let e as ImageImportError {
            throw e
        } catch {
            if entries == 0 { throw fail("not a tar archive (or a gzip of one): \(error)") }
            throw fail("reading the archive: \(error)")
        }
        return contents
    }

    private func readAll(_ reader: TarReader, size: Int64) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(size))
        var off = 0
        while off < out.count {
            let n = try out.withUnsafeMutableBytes { raw throws(LayerError) in
                try reader.readContent(into: UnsafeMutableRawBufferPointer(rebasing: raw[off...]))
            }
            if n == 0 { throw LayerError.malformedArchive("archive truncated inside \(size)-byte file") }
            off += n
        }
        return out
    }

    /// Ingests the current entry's content as blob `expected`: the store checks size and digest.
    private func ingest(_ reader: TarReader, entry: TarEntry, expected: Digest, archive: String) throws {
        let start: BlobStore.IngestStart
        do { start = try store.beginIngest(expected, size: entry.size) } catch {
            throw ImageImportError(archive: archive, reason: "blob \(expected): \(error)")
        }
        guard case .writer(let writer) = start else { return }  // present: the reader skips it
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        do {
            // A resumed partial already holds a prefix of these bytes.
            var skip = writer.offset
            while true {
                let n = try reader.readContent(into: skip > 0
                    ? UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), skip))]) : buffer)
                if n == 0 { break }
                if skip > 0 { skip -= Int64(n); continue }
                try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
            _ = try writer.commit()
        } catch let e as LayerError {
            writer.abort()
            throw e
        } catch {
            writer.abort()
            throw ImageImportError(archive: archive, reason: "\(entry.path): \(error)")
        }
    }

    /// Stores the current entry's content under the digest of its bytes (staged in `ingest/`).
    private func stage(_ reader: TarReader, entry: TarEntry, archive: String) throws -> Digest {
        let tmp = store.root + "/ingest/import-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 { throw ImageImportError(archive: archive, reason: "create \(tmp): \(Errno(errno))") }
        defer { close(fd); unlink(tmp) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try reader.readContent(into: buffer)
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            var off = 0
            while off < n {
                let w = write(fd, buffer.baseAddress! + off, n - off)
                if w < 0 { if errno == EINTR { continue }; throw ImageImportError(archive: archive, reason: "write \(tmp): \(Errno(errno))") }
                off += w
            }
        }
        let digest = hasher.finalize()
        _ = lseek(fd, 0, SEEK_SET)
        do {
            switch try store.beginIngest(digest, size: entry.size) {
            case .present: break
            case .writer(let writer):
                if writer.offset > 0 { _ = lseek(fd, off_t(writer.offset), SEEK_SET) }
                do {
                    while true {
                        let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                        if n < 0 { if errno == EINTR { continue }; throw BlobStoreError.system(operation: "read", path: tmp, errno: Errno(errno)) }
                        if n == 0 { break }
                        try writer.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                    }
                    _ = try writer.commit()
                } catch { writer.abort(); throw error }
            }
        } catch {
            throw ImageImportError(archive: archive, reason: "storing \(entry.path): \(error)")
        }
        return digest
    }
}

// MARK: formats

extension ImageImporter {
    /// The bytes of a referenced archive file or blob, and the digest they are stored under.
    private func bytes(_ digest: Digest, _ what: String, _ contents: Contents,
                       fail: (String) -> ImageImportError) throws(ImageImportError) -> [UInt8] {
        guard contents.digests.contains(digest) else { throw fail("\(what) \(digest) is missing from the archive") }
        do { return try store.read(digest) } catch { throw fail("\(what) \(digest): \(error)") }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], _ what: String,
                                      fail: (String) -> ImageImportError) throws(ImageImportError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch { throw fail("invalid \(what): \(error)") }
    }

    private func parse(_ text: String, _ what: String, fail: (String) -> ImageImportError) throws(ImageImportError) -> Digest {
        do { return try Digest(text) } catch { throw fail("\(what): \(error)") }
    }

    /// The image name of an OCI index entry: containerd's full-name annotation, else
    /// `ref.name` if it is a whole reference (has a `/`, `:` or `@`), else `name` (with
    /// `ref.name` as its tag when it has none).
    func ociName(_ annotations: [String: String]?, digest: String, name: String?,
                 fail: (String) -> ImageImportError) throws(ImageImportError) -> ImageReference {
        if let full = annotations?[Self.containerdNameAnnotation], let r = try? ImageReference(full) { return r }
        let ref = annotations?[Self.refNameAnnotation]
        if let ref, ref.contains("/") || ref.contains(":") || ref.contains("@"), let r = try? ImageReference(ref) { return r }
        guard let name else {
            throw fail("manifest \(digest) has no image name (\(Self.refNameAnnotation) is \(ref.map { "\"\($0)\", not a full reference" } ?? "absent")): give a name")
        }
        let last = name.split(separator: "/").last ?? ""
        let text = (ref != nil && !last.contains(":") && !name.contains("@")) ? name + ":" + ref! : name
        do { return try ImageReference(text) } catch { throw fail("image name \"\(text)\": \(error)") }
    }

    func planOCI(_ contents: Contents, name: String?, fail: (String) -> ImageImportError) throws(ImageImportError) -> [Planned] {
        let index = try decode(RegistryImageIndex.self, contents.metadata["index.json"]!, "index.json", fail: fail)
        var out: [Planned] = []
        for entry in index.manifests {
            let reference = try ociName(entry.annotations, digest: entry.digest, name: name, fail: fail)
            let label = reference.description
            let top = try parse(entry.digest, "index.json entry for \(label)", fail: fail)
            var manifestDigest = top
            var body = try bytes(top, "manifest of \(label)", contents, fail: fail)
            let kind = FetchedManifest.mediaType(contentType: entry.mediaType, bytes: body).known
            if let kind, RegistryMediaType.isIndex(kind) {
                let inner = try decode(RegistryImageIndex.self, body, "index \(top) of \(label)", fail: fail)
                guard let chosen = puller.platform.select(from: inner) else {
                    throw fail("\(label): no image for platform \(puller.platform) (available: \(inner.manifests.compactMap { $0.platform?.description }.joined(separator: ", ")))")
                }
                manifestDigest = try parse(chosen.digest, "index \(top) of \(label)", fail: fail)
                body = try bytes(manifestDigest, "manifest of \(label)", contents, fail: fail)
            } else if kind == nil {
                throw fail("\(label): unsupported manifest media type \"\(entry.mediaType)\"")
            }
            let manifest = try decode(RegistryImageManifest.self, body, "manifest \(manifestDigest) of \(label)", fail: fail)
            guard RegistryMediaType.isConfig(manifest.config.mediaType) else {
                throw fail("\(label): unsupported config media type \"\(manifest.config.mediaType)\"")
            }
            let configDigest = try parse(manifest.config.digest, "config of \(label)", fail: fail)
            let config = try decode(RegistryImageConfig.self, try bytes(configDigest, "config of \(label)", contents, fail: fail),
                                    "config \(configDigest) of \(label)", fail: fail)
            guard config.rootfs.diff_ids.count == manifest.layers.count else {
                throw fail("\(label): \(manifest.layers.count) layers but \(config.rootfs.diff_ids.count) diff_ids")
            }
            var layers: [(digest: Digest, mediaType: String)] = []
            var diffIDs: [Digest] = []
            for (layer, diff) in zip(manifest.layers, config.rootfs.diff_ids) {
                do { _ = try LayerCompression(mediaType: layer.mediaType) } catch {
                    throw fail("\(label): unsupported layer media type \"\(layer.mediaType)\"")
                }
                let d = try parse(layer.digest, "layer of \(label)", fail: fail)
                guard contents.digests.contains(d) else { throw fail("layer \(d) of \(label) is missing from the archive") }
                layers.append((d, layer.mediaType))
                diffIDs.append(try parse(diff, "diff_id of \(label)", fail: fail))
            }
            out.append(Planned(reference: reference, digest: top, manifestDigest: manifestDigest, config: configDigest,
                               layers: layers, diffIDs: diffIDs))
        }
        return out
    }

    struct DockerManifestEntry: Decodable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
    }

    /// A `docker save` archive: layers are tar files (their digest is the diffID, or gzip),
    /// stored as blobs; a Docker v2 manifest is synthesised over them for the record.
    func planDocker(_ contents: Contents, name: String?, fail: (String) -> ImageImportError) throws(ImageImportError) -> [Planned] {
        let entries = try decode([DockerManifestEntry].self, contents.metadata["manifest.json"]!, "manifest.json", fail: fail)
        var repositories: [String: [String: String]] = [:]
        if let r = contents.metadata["repositories"] {
            repositories = (try? JSONDecoder().decode([String: [String: String]].self, from: Data(r))) ?? [:]
        }
        var out: [Planned] = []
        for entry in entries {
            // The config: a small file kept in memory (`<id>.json`) or a blob.
            let configPath = contents.resolve(entry.Config)
            let configBytes: [UInt8]
            let configDigest: Digest
            if let m = contents.metadata[configPath] {
                configBytes = m
                configDigest = Digest.sha256(of: m)
                do { try store.ingest(configDigest, bytes: m) } catch { throw fail("config \(entry.Config): \(error)") }
            } else if let d = contents.files[configPath] {
                configDigest = d
                configBytes = try bytes(d, "config \(entry.Config)", contents, fail: fail)
            } else {
                throw fail("config \(entry.Config) is missing from the archive")
            }
            let config = try decode(RegistryImageConfig.self, configBytes, "config \(entry.Config)", fail: fail)
            guard config.rootfs.diff_ids.count == entry.Layers.count else {
                throw fail("\(entry.Config): \(entry.Layers.count) layers but \(config.rootfs.diff_ids.count) diff_ids")
            }
            var layers: [(digest: Digest, mediaType: String)] = []
            var diffIDs: [Digest] = []
            var descriptors: [RegistryDescriptor] = []
            for (path, diff) in zip(entry.Layers, config.rootfs.diff_ids) {
                guard let d = contents.files[contents.resolve(path)] else { throw fail("layer \(path) is missing from the archive") }
                let gzip = isGzip(d)
                let mediaType = gzip ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.docker.image.rootfs.diff.tar"
                layers.append((d, mediaType))
                diffIDs.append(try parse(diff, "diff_id in \(entry.Config)", fail: fail))
                descriptors.append(RegistryDescriptor(mediaType: mediaType, digest: d.description, size: (try? store.size(of: d)) ?? 0))
            }
            let manifest = RegistryImageManifest(
                schemaVersion: 2, mediaType: RegistryMediaType.dockerManifest,
                config: RegistryDescriptor(mediaType: RegistryMediaType.dockerConfig, digest: configDigest.description,
                                           size: Int64(configBytes.count)),
                layers: descriptors, annotations: nil)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body: [UInt8]
            do { body = Array(try encoder.encode(manifest)) } catch { throw fail("encoding a manifest: \(error)") }
            let manifestDigest = Digest.sha256(of: body)
            do { try store.ingest(manifestDigest, bytes: body) } catch { throw fail("manifest: \(error)") }

            var names = entry.RepoTags ?? []
            if names.isEmpty, let top = entry.Layers.last {
                let id = contents.resolve(top).split(separator: "/").first.map(String.init) ?? ""
                for (repo, tags) in repositories.sorted(by: { $0.key < $1.key }) {
                    for (tag, layerID) in tags.sorted(by: { $0.key < $1.key }) where layerID == id { names.append(repo + ":" + tag) }
                }
            }
            if names.isEmpty, let name { names = [name] }
            if names.isEmpty { throw fail("image \(entry.Config) has no RepoTags: give a name") }
            for n in names {
                let reference: ImageReference
                do { reference = try ImageReference(n) } catch { throw fail("image name \"\(n)\": \(error)") }
                out.append(Planned(reference: reference, digest: manifestDigest, manifestDigest: manifestDigest,
                                   config: configDigest, layers: layers, diffIDs: diffIDs))
            }
        }
        return out
    }

    private func isGzip(_ digest: Digest) -> Bool {
        guard let fd = try? store.open(digest) else { return false }
        defer { close(fd) }
        var magic: [UInt8] = [0, 0]
        let n = magic.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 2) }
        return n == 2 && magic == [0x1f, 0x8b]
    }
}

// MARK: air-gap directory

/// What `importDirectory` did with one archive.
public struct ArchiveImport: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case imported([PulledImage])
        /// An archive with these exact bytes was imported before.
        case skipped
        case failed(ImageImportError)
    }
    public var file: String
    public var outcome: Outcome
}

extension ImageImporter {
    public static func isArchiveName(_ name: String) -> Bool {
        name.hasSuffix(".tar") || name.hasSuffix(".tar.gz") || name.hasSuffix(".tgz")
    }

    var statePath: String { store.root + "/" + Self.stateFile }

    /// Content digests of the archives imported so far (one per line).
    func importedArchives() -> Set<String> {
        guard let bytes = try? store.readFile(statePath) else { return [] }
        return Set(String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    /// Imports every `*.tar`, `*.tar.gz` and `*.tgz` in `directory` (as k3s does with
    /// `agent/images/`), in name order, skipping archives whose bytes were imported before. A
    /// failing archive is reported and the others still imported.
    public func importDirectory(_ directory: String) throws(ImageImportError) -> [ArchiveImport] {
        let names: [String]
        do { names = try FileSystem.entries(directory) } catch { throw ImageImportError(archive: directory, reason: "list: \(error)") }
        var done = importedArchives()
        var results: [ArchiveImport] = []
        for name in names.sorted() where Self.isArchiveName(name) {
            let path = directory + "/" + name
            var st = stat()
            guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            let digest: Digest
            do { digest = try Self.fileDigest(path) } catch {
                results.append(ArchiveImport(file: path, outcome: .failed(error))); continue
            }
            if done.contains(digest.description) {
                results.append(ArchiveImport(file: path, outcome: .skipped)); continue
            }
            do throws(ImageImportError) {
                let images = try importArchive(path)
                done.insert(digest.description)
                let text = done.sorted().joined(separator: "\n") + "\n"
                do { try FileSystem.writeAtomically(statePath, Data(text.utf8)) } catch {
                    throw ImageImportError(archive: path, reason: "recording the import in \(statePath): \(error)")
                }
                results.append(ArchiveImport(file: path, outcome: .imported(images)))
            } catch {
                results.append(ArchiveImport(file: path, outcome: .failed(error)))
            }
        }
        return results
    }

    static func fileDigest(_ path: String) throws(ImageImportError) -> Digest {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ImageImportError(archive: path, reason: "open: \(Errno(errno))") }
        defer { close(fd) }
        var hasher = SHA256()
        do { try BlobStore.hash(fd: fd, path: path, into: &hasher) } catch {
            throw ImageImportError(archive: path, reason: "\(error)")
        }
        return hasher.finalize()
    }
}

extension BlobStore {
    func readFile(_ path: String) throws(Errno) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw Errno(errno) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw Errno(errno) }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}
