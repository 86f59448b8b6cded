/// The resource limits of one cgroup, independent of cgroup version.
///
/// Mirrors the subset of OCI `linux.resources` the node agent honours. `nil` always means
/// "leave the kernel's current value alone", so an update can change one knob only.
public struct CgroupResources: Sendable, Equatable {
    /// Bytes; -1 means unlimited. OCI `memory.limit`.
    public var memoryLimit: Int64?
    /// Bytes; soft limit (v1 soft_limit_in_bytes, v2 memory.low). -1 means none. OCI `memory.reservation`.
    public var memoryReservation: Int64?
    /// Bytes of memory **plus** swap, as in OCI `memory.swap`; -1 means unlimited.
    /// v2 has a swap-only knob, see `CgroupConversions.swapMax`.
    public var memorySwap: Int64?
    /// Relative CPU weight on the v1 scale (2...262144). OCI `cpu.shares`.
    public var cpuShares: UInt64?
    /// Microseconds per period; -1 (or ≤0) means unlimited. OCI `cpu.quota`.
    public var cpuQuota: Int64?
    /// Microseconds. OCI `cpu.period`.
    public var cpuPeriod: UInt64?
    /// Cpuset lists such as "0-3,6".
    public var cpusetCpus: String?
    public var cpusetMems: String?
    /// Maximum tasks; 0 or -1 means unlimited. OCI `pids.limit`.
    public var pidsLimit: Int64?
    /// Device access rules applied in order, later rules overriding earlier ones.
    /// nil leaves device access untouched, which on v2 means no filter at all (every device
    /// open is allowed), so container callers should always pass `defaultRules` + spec rules.
    /// An empty list denies every device.
    public var devices: [DeviceRule]?
    /// Raw v2 `file: value` writes (OCI `unified`), applied after the typed fields.
    public var unified: [String: String]

    public init(
        memoryLimit: Int64? = nil, memoryReservation: Int64? = nil, memorySwap: Int64? = nil,
        cpuShares: UInt64? = nil, cpuQuota: Int64? = nil, cpuPeriod: UInt64? = nil,
        cpusetCpus: String? = nil, cpusetMems: String? = nil, pidsLimit: Int64? = nil,
        devices: [DeviceRule]? = nil, unified: [String: String] = [:]
    ) {
        self.memoryLimit = memoryLimit
        self.memoryReservation = memoryReservation
        self.memorySwap = memorySwap
        self.cpuShares = cpuShares
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.cpusetCpus = cpusetCpus
        self.cpusetMems = cpusetMems
        self.pidsLimit = pidsLimit
        self.devices = devices
        self.unified = unified
    }
}

/// One device cgroup rule, as in OCI `linux.resources.devices[]`.
public struct DeviceRule: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Character, Sendable, Hashable {
        case all = "a"
        case char = "c"
        case block = "b"
    }

    public struct Access: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let read = Access(rawValue: 1 << 0)
        public static let write = Access(rawValue: 1 << 1)
        public static let mknod = Access(rawValue: 1 << 2)
        public static let all: Access = [.read, .write, .mknod]

        /// Parses OCI/v1 access strings ("rwm", "r"); nil for any other character.
        public init?(_ text: String) {
            var value: Access = []
            for ch in text {
                switch ch {
                case "r": value.insert(.read)
                case "w": value.insert(.write)
                case "m": value.insert(.mknod)
                default: return nil
                }
            }
            self = value
        }

        public var text: String {
            (contains(.read) ? "r" : "") + (contains(.write) ? "w" : "") + (contains(.mknod) ? "m" : "")
        }
    }

    public var allow: Bool
    public var kind: Kind
    /// nil is the wildcard `*`.
    public var major: Int64?
    public var minor: Int64?
    public var access: Access

    public init(allow: Bool, kind: Kind, major: Int64? = nil, minor: Int64? = nil, access: Access = .all) {
        self.allow = allow
        self.kind = kind
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// Matches every device for every access: the rule that switches default allow/deny.
    public var isFullWildcard: Bool {
        kind == .all && major == nil && minor == nil && access == .all
    }

    /// The v1 devices.allow/devices.deny line, e.g. "c 1:3 rwm" or "a".
    public var description: String {
        if isFullWildcard { return "a" }
        return "\(kind.rawValue) \(major.map(String.init) ?? "*"):\(minor.map(String.init) ?? "*") \(access.text)"
    }

    /// The devices every container gets: deny all, then the usual pseudo-devices and ptys.
    /// The same list containerd and runc apply by default.
    public static let defaultRules: [DeviceRule] = [
        DeviceRule(allow: false, kind: .all),
        DeviceRule(allow: true, kind: .char, access: .mknod),
        DeviceRule(allow: true, kind: .block, access: .mknod),
        DeviceRule(allow: true, kind: .char, major: 1, minor: 3),   // /dev/null
        DeviceRule(allow: true, kind: .char, major: 1, minor: 5),   // /dev/zero
        DeviceRule(allow: true, kind: .char, major: 1, minor: 7),   // /dev/full
        DeviceRule(allow: true, kind: .char, major: 1, minor: 8),   // /dev/random
        DeviceRule(allow: true, kind: .char, major: 1, minor: 9),   // /dev/urandom
        DeviceRule(allow: true, kind: .char, major: 5, minor: 0),   // /dev/tty
        DeviceRule(allow: true, kind: .char, major: 5, minor: 1),   // /dev/console
        DeviceRule(allow: true, kind: .char, major: 5, minor: 2),   // /dev/ptmx
        DeviceRule(allow: true, kind: .char, major: 136),           // /dev/pts/*
        DeviceRule(allow: true, kind: .char, major: 10, minor: 200), // /dev/net/tun
    ]
}
