/// Everything the C layer needs to make one container, resolved from a bundle before any
/// side effect: flags computed, paths absolute, seccomp compiled, capabilities as masks.
public struct ContainerPlan: Sendable, Equatable {
    public struct PlannedMount: Sendable, Equatable {
        public var source: String?
        public var destination: String
        public var fstype: String?
        public var flags: UInt
        public var propagation: UInt
        public var data: String?
    }

    public struct PlannedDevice: Sendable, Equatable {
        public var path: String
        public var mode: UInt32     // S_IFCHR/S_IFBLK/S_IFIFO | permissions
        public var major: UInt32
        public var minor: UInt32
        public var uid: UInt32
        public var gid: UInt32
    }

    public struct Rlimit: Sendable, Equatable {
        public var resource: Int32
        public var soft: UInt64
        public var hard: UInt64
    }

    public struct Sysctl: Sendable, Equatable {
        public var path: String     // /proc/sys/...
        public var value: String
    }

    public struct NamespaceJoin: Sendable, Equatable {
        public var path: String
        public var flag: Int32
    }

    public var id: String
    public var bundle: String
    public var newNamespaces: Int32
    public var joins: [NamespaceJoin]
    public var uidMap: String?
    public var gidMap: String?
    public var rootfs: String
    public var rootfsReadonly: Bool
    public var rootfsPropagation: UInt
    public var mounts: [PlannedMount]
    public var devices: [PlannedDevice]
    public var maskedPaths: [String]
    public var readonlyPaths: [String]
    public var sysctls: [Sysctl]
    public var hostname: String?
    public var domainname: String?
    public var args: [String]
    public var env: [String]
    public var pathEnv: String?
    public var cwd: String
    public var uid: UInt32
    public var gid: UInt32
    public var additionalGids: [UInt32]
    public var umask: Int32
    public var rlimits: [Rlimit]
    public var noNewPrivileges: Bool
    public var oomScoreAdj: Int32?
    public var capabilities: CapabilityMasks?
    public var seccomp: SeccompProgram?
    public var cgroupPath: String
    public var cgroupResources: CgroupResources
    public var hooks: Spec.Hooks
    public var annotations: [String: String]
    /// false for a process exec'd into a running container: it runs as soon as it is set up.
    public var waitsForStart = true
    /// process.terminal: stdio is a pty made in the container, its master sent over the
    /// console socket the caller gives in ContainerIO.
    public var terminal = false
    public var consoleSize: Spec.ConsoleSize?
}
