import Glibc

/// Every failure of the cgroup layer names the cgroup, the step and the object, so a
/// log line alone tells an operator which write on which hierarchy went wrong, e.g.
/// `cgroup /swiftlet/abc: write memory.max: Device or resource busy`.
public struct CgroupError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// A system call failed with this errno.
        case system(errno: Int32)
        /// The requested resources cannot be expressed (e.g. swap without a memory limit).
        case invalidResources(String)
        /// The cgroup path is malformed or escapes the hierarchy.
        case invalidPath(String)
        /// The host does not offer what is needed (no hierarchies, no controller, no eBPF).
        case unsupported(String)
        /// A bounded wait ran out (processes that do not die, a freezer that does not settle).
        case timeout(String)
    }

    /// The cgroup relative path the operation was about, or nil for host-level steps (detection).
    public var cgroup: String?
    /// What was being done, with the object: "write memory.max", "mkdir /sys/fs/cgroup/cpu/x".
    public var step: String
    public var reason: Reason

    public init(cgroup: String?, step: String, reason: Reason) {
        self.cgroup = cgroup
        self.step = step
        self.reason = reason
    }

    /// The errno when the failure came from a system call; lets callers branch on EBUSY etc.
    public var errno: Int32? {
        if case .system(let code) = reason { return code }
        return nil
    }

    public var description: String {
        let prefix = cgroup.map { "cgroup \($0): " } ?? "cgroups: "
        let detail: String
        switch reason {
        case .system(let code): detail = String(cString: strerror(code))
        case .invalidResources(let why): detail = "invalid resources: \(why)"
        case .invalidPath(let why): detail = "invalid path: \(why)"
        case .unsupported(let why): detail = "unsupported: \(why)"
        case .timeout(let why): detail = "timed out: \(why)"
        }
        return "\(prefix)\(step): \(detail)"
    }
}
