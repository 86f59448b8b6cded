import SwiftletCSystem
import FoundationEssentials
import Glibc

/// What one unpack did.
public struct LayerUnpackResult: Sendable, Equatable {
    /// sha256 of the uncompressed tar stream: the layer's `rootfs.diff_ids` entry.
    public var diffID: Digest
    public var entries = 0
    public var whiteouts = 0
    public var opaqueDirectories = 0
    /// Bytes of regular-file content written.
    public var contentBytes: Int64 = 0
}

/// Unpacks a layer tar into a new directory in overlayfs form, ready to be a lowerdir:
///
/// - `.wh.NAME` becomes a character device 0/0 named NAME (overlayfs's whiteout);
/// - `.wh..wh..opq` becomes the xattr `trusted.overlay.opaque=y` on its directory;
///   other `.wh..wh.*` names (AUFS bookkeeping) are skipped;
/// - files, directories, symlinks, hard links, devices and fifos keep their mode, owner,
///   mtime and `SCHILY.xattr.*` attributes (except `trusted.overlay.*`, which only the
///   unpacker itself writes).
///
/// Containment: names are taken relative to the layer (a leading `/` dropped, `..` refused), no
/// entry is written through a symlink (a path whose parent is a symlink is refused, whatever
/// the link points at), files are created with O_EXCL|O_NOFOLLOW after removing what was there,
/// and hard links resolve inside the layer. Any error removes the whole layer directory.
public struct LayerUnpacker: Sendable {
    public static let opaqueXattr = "trusted.overlay.opaque"
    static let whiteoutPrefix = ".wh."
    static let opaqueMarker = ".wh..wh..opq"
    static let metaPrefix = ".wh..wh."

    /// Chown entries to their archived uid/gid (needs root; off leaves files owned by us).
    public var preserveOwnership: Bool

    public init(preserveOwnership: Bool = getuid() == 0) {
        self.preserveOwnership = preserveOwnership
    }

    /// Unpacks a layer blob of `mediaType` read from `source` into `destination`, which must not
    /// exist yet. If `expectedDiffID` is given, the uncompressed stream must hash to it.
    @discardableResult
    public func unpack(_ source: ByteSource, mediaType: String, into destination: String,
                       expectedDiffID: Digest? = nil) throws(LayerError) -> LayerUnpackResult {
        let compression = try LayerCompression(mediaType: mediaType)
        let stream: ByteSource = compression == .gzip ? try GzipSource(source) : source
        return try unpack(tar: stream, into: destination, expectedDiffID: expectedDiffID)
    }

    /// Unpacks an uncompressed tar stream into `destination` (which must not exist yet).
    @discardableResult
    public func unpack(tar stream: ByteSource, into destination: String,
                       expectedDiffID: Digest? = nil) throws(LayerError) -> LayerUnpackResult {
        let root = destination.count > 1 && destination.hasSuffix("/") ? String(destination.dropLast()) : destination
        if mkdir(root, 0o755) < 0 {
            if errno == EEXIST { throw .destinationExists(root) }
            throw .system(entry: root, operation: "mkdir", errno: Errno(errno))
        }
        do throws(LayerError) {
            var run = UnpackRun(root: root, preserveOwnership: preserveOwnership, reader: TarReader(stream))
            let result = try run.run()
            if let expectedDiffID, expectedDiffID != result.diffID {
                throw LayerError.diffIDMismatch(expected: expectedDiffID, actual: result.diffID)
            }
            return result
        } catch {
            try? FileSystem.removeTree(root)
            throw error
        }
    }
}

/// The state of one unpack: the reader, the directories whose mode and times are set last
/// (creating children would change their mtime, and a read-only mode could block them).
private struct UnpackRun {
    let root: String
    let preserveOwnership: Bool
    let reader: TarReader
    var directories: [String: TarEntry] = [:]
    var directoryOrder: [String] = []
    var result = LayerUnpackResult(diffID: Digest.sha256(of: [UInt8]()))

    init(root: String, preserveOwnership: Bool, reader: TarReader) {
        self.root = root
        self.preserveOwnership = preserveOwnership
        self.reader = reader
    }

    mutating func run() throws(LayerError) -> LayerUnpackResult {
        while let entry = try reader.next() {
            result.entries += 1
            try apply(entry)
        }
        for path in directoryOrder.reversed() {
            // Skip directories a later entry replaced or whited out.
            var st = stat()
            guard let entry = directories[path], lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { continue }
            try chmod(path, entry)
            try setTimes(path, entry)
        }
        result.diffID = try reader.diffID()
        return result
    }

    private func path(_ components: ArraySlice<String>) -> String {
        components.isEmpty ? root : root + "/" + components.joined(separator: "/")
    }

    private mutating func apply(_ entry: TarEntry) throws(LayerError) {
        let name = entry.path
        let parts = try LayerPath.components(name, entry: name)
        guard let base = parts.last else {
            // The layer root itself ("./"): only its metadata can be set.
            guard entry.kind == .directory else {
                throw .unsafeEntry(entry: name, reason: "would replace the layer root")
            }
            try chown(root, entry, name: name)
            try setXattrs(root, entry, name: name)
            remember(root, entry)
            return
        }
        let parentParts = parts.dropLast()
        // AUFS bookkeeping (`.wh..wh.plnk/…`, `.wh..wh.aufs`): not part of the filesystem.
        if parentParts.contains(where: { $0.hasPrefix(LayerUnpacker.metaPrefix) }) { return }
        try ensureDirectory(parentParts, entry: name)
        let parent = path(parentParts)
        let target = parent + "/" + base

        if base.hasPrefix(LayerUnpacker.whiteoutPrefix) {
            try whiteout(base: base, parent: parent, entry: entry)
            return
        }

        var st = stat()
        if lstat(target, &st) == 0 {
            if entry.kind == .directory && st.st_mode & S_IFMT == S_IFDIR {
                try chown(target, entry, name: name)
                try setXattrs(target, entry, name: name)
                remember(target, entry)
                return
            }
            do { try FileSystem.removeTree(target) } catch {
                throw .system(entry: name, operation: "remove existing", errno: error)
            }
            directories[target] = nil
        }

        switch entry.kind {
        case .file:
            try writeFile(target, entry)
        case .directory:
            if mkdir(target, 0o700) < 0 { throw sys(name, "mkdir") }
            remember(target, entry)
        case .symlink:
            if symlink(entry.linkTarget, target) < 0 { throw sys(name, "symlink") }
        case .hardLink:
            try hardLink(target, entry)
            return  // shares the inode (and so the metadata) of its target
        case .characterDevice, .blockDevice, .fifo:
            let type: mode_t = entry.kind == .fifo ? S_IFIFO : entry.kind == .characterDevice ? S_IFCHR : S_IFBLK
            let dev = entry.kind == .fifo ? 0 : swl_makedev(entry.deviceMajor, entry.deviceMinor)
            if mknod(target, type | (mode_t(entry.mode) & 0o777), dev) < 0 { throw sys(name, "mknod") }
        }
        if entry.kind != .file { try chown(target, entry, name: name) }
        if entry.kind != .directory {
            if entry.kind != .file && entry.kind != .symlink { try chmod(target, entry) }
            try setXattrs(target, entry, name: name)
            try setTimes(target, entry)
        } else {
            try setXattrs(target, entry, name: name)
        }
    }

    private mutating func remember(_ path: String, _ entry: TarEntry) {
        if directories.updateValue(entry, forKey: path) == nil { directoryOrder.append(path) }
    }

    // MARK: containment

    /// Makes sure every component is a real directory (not a symlink), creating missing ones.
    private func ensureDirectory(_ parts: ArraySlice<String>, entry: String) throws(LayerError) {
        var current = root
        for (i, part) in parts.enumerated() {
            current += "/" + part
            var st = stat()
            if lstat(current, &st) < 0 {
                guard errno == ENOENT else { throw sys(entry, "lstat \(current)") }
                if mkdir(current, 0o755) < 0 { throw sys(entry, "mkdir \(current)") }
                continue
            }
            let shown = parts.prefix(i + 1).joined(separator: "/")
            switch st.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK:
                throw .unsafeEntry(entry: entry, reason: "parent \"\(shown)\" is a symlink; entries are never written through symlinks")
            default:
                throw .unsafeEntry(entry: entry, reason: "parent \"\(shown)\" is not a directory")
            }
        }
    }

    // MARK: kinds

    private mutating func writeFile(_ target: String, _ entry: TarEntry) throws(LayerError) {
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 { throw sys(entry.path, "create") }
        defer { close(fd) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = try reader.readContent(into: chunk)
            if n == 0 { break }
            var done = 0
            while done < n {
                let w = write(fd, chunk.baseAddress! + done, n - done)
                if w < 0 { if errno == EINTR { continue }; throw sys(entry.path, "write") }
                done += w
            }
            result.contentBytes += Int64(n)
        }
        if preserveOwnership && fchown(fd, uid_t(entry.uid), gid_t(entry.gid)) < 0 { throw sys(entry.path, "chown") }
        if fchmod(fd, mode_t(entry.mode)) < 0 { throw sys(entry.path, "chmod") }
    }

    private func hardLink(_ target: String, _ entry: TarEntry) throws(LayerError) {
        let linkParts = try LayerPath.components(entry.linkTarget, entry: entry.path)
        guard !linkParts.isEmpty else {
            throw .unsafeEntry(entry: entry.path, reason: "hard link to the layer root")
        }
        // The link's target must already be in this layer, reached without symlinks.
        var current = root
        for (i, part) in linkParts.enumerated() {
            current += "/" + part
            var st = stat()
            if lstat(current, &st) < 0 {
                throw .unsafeEntry(entry: entry.path, reason: "hard link target \"\(entry.linkTarget)\" is not in the layer")
            }
            let last = i == linkParts.count - 1
            if !last && st.st_mode & S_IFMT == S_IFLNK {
                throw .unsafeEntry(entry: entry.path, reason: "hard link target \"\(entry.linkTarget)\" goes through a symlink")
            }
            if last && st.st_mode & S_IFMT == S_IFDIR {
                throw .unsafeEntry(entry: entry.path, reason: "hard link to directory \"\(entry.linkTarget)\"")
            }
        }
        // Flags 0: a symlink target is linked itself, never followed.
        if linkat(AT_FDCWD, current, AT_FDCWD, target, 0) < 0 { throw sys(entry.path, "link") }
    }

    private mutating func whiteout(base: String, parent: String, entry: TarEntry) throws(LayerError) {
        if base == LayerUnpacker.opaqueMarker {
            let rc = "y".withCString { swl_lsetxattr(parent, LayerUnpacker.opaqueXattr, $0, 1) }
            if rc < 0 { throw .system(entry: entry.path, operation: "set \(LayerUnpacker.opaqueXattr)", errno: Errno(-rc)) }
            result.opaqueDirectories += 1
            return
        }
        if base.hasPrefix(LayerUnpacker.metaPrefix) { return }
        let hidden = String(base.dropFirst(LayerUnpacker.whiteoutPrefix.count))
        guard !hidden.isEmpty, hidden != ".", hidden != ".." else {
            throw .unsafeEntry(entry: entry.path, reason: "whiteout of \"\(hidden)\"")
        }
        let target = parent + "/" + hidden
        do { try FileSystem.removeTree(target) } catch {
            throw .system(entry: entry.path, operation: "remove whited-out path", errno: error)
        }
        directories[target] = nil
        if mknod(target, S_IFCHR, swl_makedev(0, 0)) < 0 { throw sys(entry.path, "mknod whiteout") }
        try chown(target, entry, name: entry.path)
        result.whiteouts += 1
    }

    // MARK: metadata

    private func chown(_ path: String, _ entry: TarEntry, name: String) throws(LayerError) {
        guard preserveOwnership else { return }
        if lchown(path, uid_t(entry.uid), gid_t(entry.gid)) < 0 { throw sys(name, "chown") }
    }

    /// After chown, which clears setuid/setgid.
    private func chmod(_ path: String, _ entry: TarEntry) throws(LayerError) {
        if Glibc.chmod(path, mode_t(entry.mode)) < 0 { throw sys(entry.path, "chmod") }
    }

    private func setXattrs(_ path: String, _ entry: TarEntry, name: String) throws(LayerError) {
        for (key, value) in entry.xattrs.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix("trusted.overlay.") { continue }
            let rc = value.withUnsafeBytes { swl_lsetxattr(path, key, $0.baseAddress, $0.count) }
            // A filesystem without that namespace: skip, as containerd does. Likewise user.*
            // on anything but files and directories, which the kernel refuses (xattr(7)).
            if rc == -ENOTSUP { continue }
            if rc == -EPERM && key.hasPrefix("user.") && entry.kind != .file && entry.kind != .directory { continue }
            if rc < 0 { throw .system(entry: name, operation: "set xattr \(key)", errno: Errno(-rc)) }
        }
    }

    private func setTimes(_ path: String, _ entry: TarEntry) throws(LayerError) {
        let t = timespec(tv_sec: Int(entry.mtimeSeconds), tv_nsec: entry.mtimeNanoseconds)
        var times = [t, t]
        if utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) < 0 { throw sys(entry.path, "set times") }
    }

    private func sys(_ entry: String, _ operation: String) -> LayerError {
        .system(entry: entry, operation: operation, errno: Errno(errno))
    }
}
