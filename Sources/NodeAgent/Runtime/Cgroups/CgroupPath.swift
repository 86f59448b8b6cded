/// A cgroup's location relative to each hierarchy's mount point, such as `/swiftlet/pod1/ctr1`.
///
/// Validation happens once, here, because the same path is joined onto several mount points
/// (every v1 hierarchy plus the unified one) and a `..` would escape all of them.
public struct CgroupPath: Hashable, Sendable, CustomStringConvertible {
    public let components: [String]

    public init(_ raw: String) throws {
        let parts = raw.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.isEmpty else {
            throw CgroupError(cgroup: raw, step: "parse path", reason: .invalidPath("the hierarchy root cannot be managed"))
        }
        for part in parts where part == "." || part == ".." || part.contains("\0") {
            throw CgroupError(cgroup: raw, step: "parse path", reason: .invalidPath("component \"\(part)\" is not allowed"))
        }
        components = parts
    }

    private init(components: [String]) {
        self.components = components
    }

    public var description: String { "/" + components.joined(separator: "/") }

    /// Ancestors from the first level down to the parent, excluding the hierarchy root and self.
    public var ancestors: [CgroupPath] {
        (1..<components.count).map { CgroupPath(components: Array(components.prefix($0))) }
    }

    /// Every level from the first below the root down to self; the order `mkdir -p` needs.
    public var levels: [CgroupPath] { ancestors + [self] }

    public func absolute(under mountPoint: String) -> String {
        let base = mountPoint.hasSuffix("/") ? String(mountPoint.dropLast()) : mountPoint
        return base + description
    }
}
