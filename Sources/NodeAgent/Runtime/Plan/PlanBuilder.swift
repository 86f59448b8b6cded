import Glibc

/// What the plan needs to know about the host's cgroups to translate a `cgroup` mount.
public struct HostCgroupMounts: Sendable, Equatable {
    public struct Hierarchy: Sendable, Equatable {
        /// The directory name under /sys/fs/cgroup ("memory", "systemd").
        public var name: String
        public var mountPoint: String

        public init(name: String, mountPoint: String) {
            self.name = name
            self.mountPoint = mountPoint
        }
    }

    /// true on a pure cgroup v2 host: a `cgroup` mount becomes a cgroup2 mount.
    public var unified: Bool
    public var v1Hierarchies: [Hierarchy]

    public init(unified: Bool, v1Hierarchies: [Hierarchy]) {
        self.unified = unified
        self.v1Hierarchies = v1Hierarchies
    }
}

/// Turns a bundle's spec into a `ContainerPlan`, collecting every problem with its field path.
/// Pure apart from checking that referenced host paths exist, so a broken bundle fails
/// before any mount, cgroup or process exists.
public struct PlanBuilder {
    public var id: String
    public var bundle: String
    public var host: HostCgroupMounts
    /// Where a container's cgroup goes when the spec names none.
    public var defaultCgroupParent: String

    public init(id: String, bundle: String, host: HostCgroupMounts, defaultCgroupParent: String = "/swiftlet") {
        self.id = id
        self.bundle = bundle
        self.host = host
        self.defaultCgroupParent = defaultCgroupParent
    }

    private final class Problems {
        var list: [String] = []
        func add(_ field: String, _ message: String) { list.append("\(field): \(message)") }
    }

    public func build(_ spec: Spec, pathExists: (String) -> Bool = PlanBuilder.hostPathExists) throws(RuntimeError) -> ContainerPlan {
        let problems = Problems()
        if !spec.ociVersion.hasPrefix("1.") {
            problems.add("ociVersion", "unsupported version \"\(spec.ociVersion)\" (want 1.x)")
        }
        let linux = spec.linux ?? Spec.Linux()

        // Namespaces.
        var newNamespaces: Int32 = 0
        var joins: [ContainerPlan.NamespaceJoin] = []
        var seen = Set<String>()
        for (i, ns) in (linux.namespaces ?? []).enumerated() {
            let field = "linux.namespaces[\(i)]"
            guard let flag = LinuxConstants.namespaceFlags[ns.type] else {
                problems.add(field + ".type", ns.type == "time"
                    ? "namespace type \"time\" is not supported"
                    : "unknown namespace type \"\(ns.type)\"")
                continue
            }
            if !seen.insert(ns.type).inserted { problems.add(field + ".type", "duplicate namespace \"\(ns.type)\"") }
            if let path = ns.path, !path.isEmpty {
                if !path.hasPrefix("/") { problems.add(field + ".path", "must be absolute") }
                else if !pathExists(path) { problems.add(field + ".path", "\"\(path)\" does not exist") }
                joins.append(.init(path: path, flag: flag))
            } else {
                newNamespaces |= flag
            }
        }
        let hasMountNS = seen.contains("mount")
        let newUTS = newNamespaces & LinuxConstants.cloneNewUTS != 0
        let hasUser = seen.contains("user")

        // Root filesystem.
        var rootfs = ""
        if let root = spec.root {
            rootfs = root.path.hasPrefix("/") ? root.path : join(bundle, root.path)
            if !pathExists(rootfs) { problems.add("root.path", "rootfs \"\(rootfs)\" does not exist") }
            if !hasMountNS { problems.add("linux.namespaces", "a root filesystem needs a new mount namespace") }
        } else {
            problems.add("root", "required field missing")
        }

        var cgroupPath = linux.cgroupsPath ?? ""
        if cgroupPath.isEmpty { cgroupPath = defaultCgroupParent + "/" + id }
        if cgroupPath.contains(":") { problems.add("linux.cgroupsPath", "systemd-style paths are not supported; use a cgroupfs path") }
        if cgroupPath.split(separator: "/").contains("..") { problems.add("linux.cgroupsPath", "must not contain \"..\"") }
        cgroupPath = clean(cgroupPath)

        // Mounts.
        var mounts: [ContainerPlan.PlannedMount] = []
        var devSetUp = false
        for (i, m) in (spec.mounts ?? []).enumerated() {
            let field = "mounts[\(i)]"
            guard m.destination.hasPrefix("/") else {
                problems.add(field + ".destination", "must be an absolute path, got \"\(m.destination)\"")
                continue
            }
            let options = MountOptions(m.options ?? [])
            let isBind = options.isBind || m.type == "bind"
            if m.type == "cgroup" || m.type == "cgroup2" {
                mounts += cgroupMounts(destination: clean(m.destination), options: options, cgroupPath: cgroupPath)
                continue
            }
            var source = m.source
            if isBind {
                guard let s = m.source, !s.isEmpty else { problems.add(field + ".source", "a bind mount needs a source"); continue }
                let abs = s.hasPrefix("/") ? s : join(bundle, s)
                if !pathExists(abs) { problems.add(field + ".source", "\"\(abs)\" does not exist") }
                source = abs
            }
            var flags = options.flags
            if isBind { flags |= UInt(MS_BIND) }
            if m.destination == "/dev" && !isBind { devSetUp = true }
            mounts.append(.init(source: source, destination: clean(m.destination), fstype: isBind ? nil : m.type,
                                flags: flags, propagation: options.propagation,
                                data: options.data.isEmpty ? nil : options.data.joined(separator: ",")))
        }

        // Devices.
        var devices = devSetUp ? DefaultDevices.nodes : []
        var deviceAllows: [DeviceRule] = []
        for (i, d) in (linux.devices ?? []).enumerated() {
            let field = "linux.devices[\(i)]"
            let kind: UInt32
            switch d.type {
            case "c", "u": kind = LinuxConstants.sIFCHR
            case "b": kind = LinuxConstants.sIFBLK
            case "p": kind = LinuxConstants.sIFIFO
            default: problems.add(field + ".type", "unknown device type \"\(d.type)\""); continue
            }
            guard d.path.hasPrefix("/dev/") else { problems.add(field + ".path", "must be under /dev"); continue }
            let major = d.major ?? 0, minor = d.minor ?? 0
            if kind != LinuxConstants.sIFIFO && (d.major == nil || d.minor == nil) {
                problems.add(field, "major and minor are required for type \"\(d.type)\"")
            }
            devices.removeAll { $0.path == d.path }
            devices.append(.init(path: d.path, mode: kind | (d.fileMode ?? 0o666) & 0o7777,
                                 major: UInt32(truncatingIfNeeded: major), minor: UInt32(truncatingIfNeeded: minor),
                                 uid: d.uid ?? 0, gid: d.gid ?? 0))
            if kind != LinuxConstants.sIFIFO {
                deviceAllows.append(DeviceRule(allow: true, kind: kind == LinuxConstants.sIFBLK ? .block : .char,
                                              major: major, minor: minor, access: .all))
            }
        }

        // ID mappings.
        var uidMap: String?, gidMap: String?
        if linux.uidMappings != nil || linux.gidMappings != nil {
            if !hasUser { problems.add("linux.uidMappings", "mappings need a user namespace") }
            uidMap = (linux.uidMappings ?? []).map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
            gidMap = (linux.gidMappings ?? []).map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
        } else if newNamespaces & LinuxConstants.cloneNewUser != 0 {
            problems.add("linux.uidMappings", "a new user namespace needs uidMappings and gidMappings")
        }

        // Process.
        var args: [String] = [], env: [String] = [], cwd = "/"
        var user = Spec.User()
        var rlimits: [ContainerPlan.Rlimit] = []
        var capabilities: CapabilityMasks?
        if let p = spec.process {
            args = p.args ?? []
            if args.isEmpty { problems.add("process.args", "at least the program to run is required") }
            env = p.env ?? []
            cwd = p.cwd
            if !cwd.hasPrefix("/") { problems.add("process.cwd", "must be an absolute path, got \"\(cwd)\"") }
            user = p.user
            for (i, r) in (p.rlimits ?? []).enumerated() {
                guard let resource = LinuxConstants.rlimits[r.type] else {
                    problems.add("process.rlimits[\(i)].type", "unknown rlimit \"\(r.type)\""); continue
                }
                if r.soft > r.hard { problems.add("process.rlimits[\(i)]", "soft limit above hard limit") }
                rlimits.append(.init(resource: resource, soft: r.soft, hard: r.hard))
            }
            if let caps = p.capabilities {
                do { capabilities = try Capabilities.resolve(caps).masks } catch { problems.list.append("\(error)") }
            }
        } else {
            problems.add("process", "required field missing")
        }

        // Confinement and the rest of linux.*.
        var seccomp: SeccompProgram?
        if let s = linux.seccomp {
            do { seccomp = try SeccompCompiler.compile(s) } catch { problems.list.append("\(error)") }
        }
        var propagation: UInt = 0
        if let name = linux.rootfsPropagation, !name.isEmpty {
            if let p = MountOptions.propagation(named: name) { propagation = p }
            else { problems.add("linux.rootfsPropagation", "unknown propagation \"\(name)\"") }
        }
        var sysctls: [ContainerPlan.Sysctl] = []
        for key in (linux.sysctl ?? [:]).keys.sorted() {
            let value = linux.sysctl?[key] ?? ""
            if key.isEmpty || key.contains("..") || key.hasPrefix("/") || key.contains(where: { $0 == " " }) {
                problems.add("linux.sysctl", "invalid key \"\(key)\""); continue
            }
            sysctls.append(.init(path: "/proc/sys/" + key.replacing(".", with: "/"), value: value))
        }
        if spec.hostname != nil && !newUTS { problems.add("hostname", "setting a hostname needs a new uts namespace") }
        for (i, p) in (linux.maskedPaths ?? []).enumerated() where !p.hasPrefix("/") {
            problems.add("linux.maskedPaths[\(i)]", "must be absolute")
        }
        for (i, p) in (linux.readonlyPaths ?? []).enumerated() where !p.hasPrefix("/") {
            problems.add("linux.readonlyPaths[\(i)]", "must be absolute")
        }
        for (phase, hooks) in hookPhases(spec.hooks) {
            for (i, h) in hooks.enumerated() where !h.path.hasPrefix("/") {
                problems.add("hooks.\(phase)[\(i)].path", "must be absolute")
            }
        }
        let resources = cgroupResources(linux.resources, deviceAllows: deviceAllows, problems: problems)

        if !problems.list.isEmpty { throw .invalidBundle(id: id, problems: problems.list) }

        var plan = ContainerPlan(
            id: id, bundle: bundle, newNamespaces: newNamespaces, joins: joins, uidMap: uidMap, gidMap: gidMap,
            rootfs: rootfs, rootfsReadonly: spec.root?.readonly ?? false, rootfsPropagation: propagation,
            mounts: mounts, devices: devices, maskedPaths: linux.maskedPaths ?? [],
            readonlyPaths: linux.readonlyPaths ?? [], sysctls: sysctls,
            hostname: newUTS ? spec.hostname : nil, domainname: newUTS ? spec.domainname : nil,
            args: args, env: env, pathEnv: env.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) },
            cwd: cwd, uid: user.uid, gid: user.gid, additionalGids: user.additionalGids ?? [],
            umask: user.umask.map { Int32($0 & 0o777) } ?? -1, rlimits: rlimits,
            noNewPrivileges: spec.process?.noNewPrivileges ?? false,
            oomScoreAdj: spec.process?.oomScoreAdj.map { Int32(clamping: $0) },
            capabilities: capabilities, seccomp: seccomp, cgroupPath: cgroupPath,
            cgroupResources: resources, hooks: spec.hooks ?? Spec.Hooks(), annotations: spec.annotations ?? [:])
        plan.terminal = spec.process?.terminal ?? false
        plan.consoleSize = spec.process?.consoleSize
        return plan
    }

    private func cgroupResources(_ r: Spec.Resources?, deviceAllows: [DeviceRule], problems: Problems) -> CgroupResources {
        var out = CgroupResources()
        // As runc: deny everything, then the spec's rules, then the devices every container
        // needs (a spec's leading "deny all" must not take /dev/null away), then the spec's
        // own device nodes.
        let defaults = DeviceRule.defaultRules.filter { !$0.isFullWildcard || $0.allow }
        var rules = [DeviceRule(allow: false, kind: .all)]
        for (i, d) in (r?.devices ?? []).enumerated() {
            let field = "linux.resources.devices[\(i)]"
            let kind: DeviceRule.Kind
            switch d.type ?? "a" {
            case "a": kind = .all
            case "c": kind = .char
            case "b": kind = .block
            default: problems.add(field + ".type", "unknown device type \"\(d.type ?? "")\""); continue
            }
            guard let access = DeviceRule.Access(d.access ?? "rwm") else {
                problems.add(field + ".access", "invalid access \"\(d.access ?? "")\" (use r, w and m)"); continue
            }
            rules.append(DeviceRule(allow: d.allow, kind: kind, major: d.major, minor: d.minor, access: access))
        }
        rules += defaults + deviceAllows
        out.devices = rules
        if let m = r?.memory {
            out.memoryLimit = m.limit
            out.memoryReservation = m.reservation
            out.memorySwap = m.swap
            if let l = m.limit, let s = m.swap, l > 0, s > 0, s < l {
                problems.add("linux.resources.memory.swap", "must be at least the memory limit (it counts memory plus swap)")
            }
        }
        if let c = r?.cpu {
            out.cpuShares = c.shares
            out.cpuQuota = c.quota
            out.cpuPeriod = c.period
            out.cpusetCpus = c.cpus
            out.cpusetMems = c.mems
            if let p = c.period, p != 0, p < 1000 || p > 1_000_000 {
                problems.add("linux.resources.cpu.period", "must be between 1000 and 1000000 microseconds")
            }
        }
        if let p = r?.pids { out.pidsLimit = p.limit }
        out.unified = r?.unified ?? [:]
        return out
    }

    /// A `cgroup` mount shows the container its own cgroup: cgroup2 on a unified host; on a v1
    /// or hybrid host a tmpfs with each hierarchy's container directory bound read-only.
    private func cgroupMounts(destination: String, options: MountOptions, cgroupPath: String) -> [ContainerPlan.PlannedMount] {
        let base = UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC)
        let ro = options.flags & UInt(MS_RDONLY)
        if host.unified {
            return [.init(source: "cgroup", destination: destination, fstype: "cgroup2", flags: base | ro, propagation: 0, data: nil)]
        }
        var out: [ContainerPlan.PlannedMount] = [
            .init(source: "tmpfs", destination: destination, fstype: "tmpfs", flags: base, propagation: 0, data: "mode=755"),
        ]
        for h in host.v1Hierarchies {
            out.append(.init(source: join(h.mountPoint, cgroupPath), destination: join(destination, h.name), fstype: nil,
                             flags: UInt(MS_BIND) | UInt(MS_REC) | base | ro, propagation: 0, data: nil))
        }
        return out
    }

    public static func hostPathExists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    private func hookPhases(_ h: Spec.Hooks?) -> [(String, [Spec.Hook])] {
        [("prestart", h?.prestart ?? []), ("createRuntime", h?.createRuntime ?? []),
         ("createContainer", h?.createContainer ?? []), ("startContainer", h?.startContainer ?? []),
         ("poststart", h?.poststart ?? []), ("poststop", h?.poststop ?? [])]
    }
}

func join(_ a: String, _ b: String) -> String {
    if b.hasPrefix("/") { return a.hasSuffix("/") ? a + b.dropFirst() : a + b }
    return a.hasSuffix("/") ? a + b : a + "/" + b
}

/// Removes "." and empty components; ".." stays for the validator to refuse.
func clean(_ path: String) -> String {
    let parts = path.split(separator: "/").filter { $0 != "." }
    return "/" + parts.joined(separator: "/")
}
