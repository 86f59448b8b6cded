import SwiftletCSystem
import FoundationEssentials
import Glibc

/// How the host organises its cgroups. Chosen once at start-up by `CgroupLayout.detect`.
public enum CgroupMode: String, Sendable, Codable {
    /// Pure cgroup v2: /sys/fs/cgroup is itself a cgroup2 mount. The production layout.
    case unified
    /// v1 controllers plus a cgroup2 mount (usually /sys/fs/cgroup/unified) that only tracks processes.
    case hybrid
    /// v1 only.
    case legacy
}

/// One mounted v1 hierarchy. Co-mounted controllers (cpu,cpuacct) share one entry.
public struct CgroupV1Hierarchy: Sendable, Equatable {
    public var mountPoint: String
    /// Kernel controllers bound to this hierarchy, e.g. ["cpu", "cpuacct"].
    public var controllers: [String]
    /// The `name=` of a named hierarchy without controllers (systemd's), or nil.
    public var name: String?

    public init(mountPoint: String, controllers: [String], name: String? = nil) {
        self.mountPoint = mountPoint
        self.controllers = controllers
        self.name = name
    }

    /// How this hierarchy is listed in features output and /proc/<pid>/cgroup: "cpu,cpuacct", "name=systemd".
    public var label: String {
        var parts = controllers
        if let name { parts.append("name=\(name)") }
        return parts.joined(separator: ",")
    }
}

/// The cgroup hierarchies of this host, as seen by the node agent.
public struct CgroupLayout: Sendable, Equatable {
    public var mode: CgroupMode
    /// The v1 hierarchies (empty in unified mode).
    public var v1: [CgroupV1Hierarchy]
    /// The cgroup2 mount point: the root itself in unified mode, the side mount in hybrid mode.
    public var unifiedMount: String?

    public init(mode: CgroupMode, v1: [CgroupV1Hierarchy] = [], unifiedMount: String? = nil) {
        self.mode = mode
        self.v1 = v1
        self.unifiedMount = unifiedMount
    }

    public static let defaultRoot = "/sys/fs/cgroup"
    static let cgroup2SuperMagic = 0x6367_7270

    /// The v1 hierarchy holding `controller` ("memory", "name=systemd"), if mounted.
    public func v1Hierarchy(for controller: String) -> CgroupV1Hierarchy? {
        if controller.hasPrefix("name=") {
            let name = String(controller.dropFirst("name=".count))
            return v1.first { $0.name == name }
        }
        return v1.first { $0.controllers.contains(controller) }
    }

    /// Detects the layout under `root`. The root is a parameter so tests can point it at a
    /// temporary tree with a hand-written mountinfo; nothing here mounts or remounts.
    public static func detect(root: String = defaultRoot, mountinfoPath: String = "/proc/self/mountinfo") throws -> CgroupLayout {
        let fsType = swl_cgroup_fs_type(root)
        guard fsType >= 0 else {
            throw CgroupError(cgroup: nil, step: "statfs \(root)", reason: .system(errno: Int32(-fsType)))
        }
        // The magic number is authoritative for unified mode; mountinfo is only needed to
        // enumerate the v1 hierarchies, which a pure v2 host does not have.
        if fsType == cgroup2SuperMagic {
            return CgroupLayout(mode: .unified, unifiedMount: normalise(root))
        }
        let text: String
        do {
            text = String(decoding: try readFile(mountinfoPath), as: UTF8.self)
        } catch {
            throw CgroupError(cgroup: nil, step: "read \(mountinfoPath)", reason: .system(errno: error.rawValue))
        }
        return try parse(mountinfo: text, root: root)
    }

    /// Pure part of detection: builds the layout from mountinfo text for mounts under `root`.
    public static func parse(mountinfo: String, root: String = defaultRoot) throws -> CgroupLayout {
        let root = normalise(root)
        var hierarchies: [CgroupV1Hierarchy] = []
        var unified: String?
        for line in mountinfo.split(separator: "\n") {
            guard let entry = CgroupMountinfoEntry(line: String(line)) else { continue }
            let inside = entry.mountPoint == root || entry.mountPoint.hasPrefix(root + "/")
            guard inside else { continue }
            switch entry.fsType {
            case "cgroup2":
                if entry.mountPoint == root {
                    return CgroupLayout(mode: .unified, unifiedMount: root)
                }
                // A bind mount of the same hierarchy elsewhere must not replace the first one.
                if unified == nil { unified = entry.mountPoint }
            case "cgroup":
                let hierarchy = v1Hierarchy(mountPoint: entry.mountPoint, superOptions: entry.superOptions)
                guard !hierarchy.controllers.isEmpty || hierarchy.name != nil else { continue }
                if !hierarchies.contains(where: { $0.label == hierarchy.label }) {
                    hierarchies.append(hierarchy)
                }
            default:
                continue
            }
        }
        if hierarchies.isEmpty {
            guard let unified else {
                throw CgroupError(cgroup: nil, step: "detect hierarchies under \(root)",
                                  reason: .unsupported("no cgroup or cgroup2 mounts found"))
            }
            // Only a cgroup2 mount below the root: usable as unified, at that mount.
            return CgroupLayout(mode: .unified, unifiedMount: unified)
        }
        return CgroupLayout(mode: unified == nil ? .legacy : .hybrid, v1: hierarchies, unifiedMount: unified)
    }

    static let knownV1Controllers: Set<String> = [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio",
        "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc",
    ]

    static func v1Hierarchy(mountPoint: String, superOptions: [String]) -> CgroupV1Hierarchy {
        var controllers: [String] = []
        var name: String?
        for option in superOptions {
            if option.hasPrefix("name=") {
                name = String(option.dropFirst("name=".count))
            } else if knownV1Controllers.contains(option) {
                controllers.append(option)
            }
        }
        return CgroupV1Hierarchy(mountPoint: mountPoint, controllers: controllers, name: name)
    }

    static func normalise(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }
}

/// One line of /proc/self/mountinfo, reduced to what cgroup detection needs.
struct CgroupMountinfoEntry: Equatable {
    var mountPoint: String
    var fsType: String
    var superOptions: [String]

    /// Format: id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    init?(line: String) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let dash = fields.firstIndex(of: "-"), dash >= 6, fields.count >= dash + 4 else { return nil }
        mountPoint = CgroupMountinfoEntry.unescape(fields[4])
        fsType = fields[dash + 1]
        superOptions = fields[dash + 3].split(separator: ",").map(String.init)
    }

    /// mountinfo encodes space, tab, newline and backslash in paths as \ooo octal escapes.
    static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let raw = Array(field.utf8)
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "\\"), i + 4 <= raw.count,
               let value = UInt8(String(decoding: raw[(i + 1)..<(i + 4)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(raw[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What `swiftlet runtime features` prints about cgroups.
public struct CgroupFeatures: Sendable, Codable, Equatable {
    public var mode: CgroupMode
    public var v1Controllers: [String]
    public var v1Hierarchies: [String: String]
    public var unified: String?
    /// Controllers offered by the unified hierarchy's root (empty when it only tracks processes).
    public var v2Controllers: [String]
    /// Whether devices are restricted through eBPF (unified) or the v1 devices controller.
    public var devices: String

    /// Compact, key-sorted JSON so the output is stable for diffing and tests.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension CgroupLayout {
    /// Reads the unified root's cgroup.controllers; the rest comes from the layout itself.
    public func features() -> CgroupFeatures {
        var v2Controllers: [String] = []
        if let unifiedMount,
           let text = try? String(contentsOfFile: unifiedMount + "/cgroup.controllers", encoding: .utf8) {
            v2Controllers = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        }
        var byLabel: [String: String] = [:]
        for h in v1 { byLabel[h.label] = h.mountPoint }
        return CgroupFeatures(
            mode: mode,
            v1Controllers: v1.flatMap { $0.controllers }.sorted(),
            v1Hierarchies: byLabel,
            unified: unifiedMount,
            v2Controllers: v2Controllers,
            devices: mode == .unified ? "ebpf" : "v1"
        )
    }

}

extension CgroupLayout: CustomStringConvertible {
    /// The features JSON, so logging the layout at start-up records the chosen mode.
    public var description: String { features().json }
}
