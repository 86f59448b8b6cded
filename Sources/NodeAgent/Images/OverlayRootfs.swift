import Glibc

/// A container's root filesystem: an overlay of its image's unpacked layers (read-only, shared
/// by every container of the image) under a writable upper directory of its own. Removing
/// the container unmounts the overlay and deletes the upper and work directories.
public struct OverlayRootfs: Sendable {
    /// Where each container's `upper/`, `work/` and `merged/` live, one directory per id.
    public let root: String

    public static let defaultRoot = "/var/lib/swiftlet/containers"

    public init(root: String = OverlayRootfs.defaultRoot) {
        self.root = root
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var id: String
        public var step: String
        public var errno: Errno?

        public var description: String {
            "rootfs for container \(id): \(step)" + (errno.map { ": \($0)" } ?? "")
        }
    }

    public func directory(_ id: String) -> String { root + "/" + id }
    public func mergedPath(_ id: String) -> String { directory(id) + "/merged" }

    /// Mounts the overlay and returns the merged path to use as the bundle's root.path.
    /// `layers` are unpacked layer directories, the image's base layer first. On failure
    /// nothing of this container is left.
    public func prepare(id: String, layers: [String]) throws(Failure) -> String {
        guard !id.isEmpty, !id.contains("/"), id != ".", id != ".." else {
            throw Failure(id: id, step: "invalid container id")
        }
        guard !layers.isEmpty else { throw Failure(id: id, step: "no layers") }
        // overlayfs separates lower directories with ':' and options with ',': such a path
        // cannot be expressed (layer directories are named by digest, so this never happens).
        if let odd = layers.first(where: { $0.contains(":") || $0.contains(",") || !$0.hasPrefix("/") }) {
            throw Failure(id: id, step: "layer path \"\(odd)\" cannot be an overlay lower directory")
        }
        let dir = directory(id)
        do {
            try FileSystem.makeDirectories(root, mode: 0o711)
        } catch {
            throw Failure(id: id, step: "create \(root)", errno: error)
        }
        if mkdir(dir, 0o700) < 0 {
            throw Failure(id: id, step: errno == EEXIST ? "already prepared" : "create \(dir)", errno: errno == EEXIST ? nil : Errno(errno))
        }
        do throws(Failure) {
            for sub in ["upper", "work", "merged"] where mkdir(dir + "/" + sub, 0o755) < 0 {
                throw Failure(id: id, step: "create \(dir)/\(sub)", errno: Errno(errno))
            }
            // overlayfs lists the uppermost lower directory first.
            let options = "lowerdir=" + layers.reversed().joined(separator: ":")
                + ",upperdir=\(dir)/upper,workdir=\(dir)/work"
            if mount("overlay", dir + "/merged", "overlay", 0, options) < 0 {
                throw Failure(id: id, step: "mount overlay of \(layers.count) layer(s)", errno: Errno(errno))
            }
        } catch {
            try? FileSystem.removeTree(dir)
            throw error
        }
        return dir + "/merged"
    }

    /// Unmounts and deletes the container's rootfs. Removing one that is not there succeeds.
    public func remove(id: String) throws(Failure) {
        let dir = directory(id)
        guard FileSystem.exists(dir) else { return }
        if umount2(dir + "/merged", 0) < 0 && errno != EINVAL && errno != ENOENT {
            // EINVAL: not mounted (a half-prepared or already unmounted rootfs).
            throw Failure(id: id, step: "unmount \(dir)/merged", errno: Errno(errno))
        }
        do {
            try FileSystem.removeTree(dir)
        } catch {
            throw Failure(id: id, step: "remove \(dir)", errno: error)
        }
    }
}
