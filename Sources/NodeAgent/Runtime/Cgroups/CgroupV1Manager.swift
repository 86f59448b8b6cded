import Glibc
import Logging
import Synchronization

/// Cgroup v1 manager for legacy and hybrid hosts: the same relative path in every mounted
/// hierarchy (named ones included, so systemd-style tracking sees the container), plus the
/// unified side mount in hybrid mode so process tracking and cgroup.kill work there too.
public final class CgroupV1Manager: CgroupManager, CgroupProcessControl {
    public let path: CgroupPath
    public let layout: CgroupLayout
    let logger: Logger
    let files: CgroupFiles
    private let created = Mutex<[String]>([])

    public init(path: CgroupPath, layout: CgroupLayout, logger: Logger) {
        self.path = path
        self.layout = layout
        self.logger = logger
        self.files = CgroupFiles(cgroup: path.description)
    }

    /// The leaf in the unified side mount (hybrid mode only).
    public var unifiedDirectory: String? {
        guard layout.mode == .hybrid, let mount = layout.unifiedMount else { return nil }
        return path.absolute(under: mount)
    }

    /// Leaf directory per hierarchy label ("cpu,cpuacct", "name=systemd").
    public var v1Directories: [(hierarchy: CgroupV1Hierarchy, directory: String)] {
        layout.v1.map { ($0, path.absolute(under: $0.mountPoint)) }
    }

    public var allDirectories: [String] {
        v1Directories.map(\.directory) + (unifiedDirectory.map { [$0] } ?? [])
    }

    public var createdDirectories: [String] { created.withLock { $0 } }

    public var spawnTargets: CgroupSpawnTargets {
        let v1Procs = v1Directories.map { $0.directory + "/cgroup.procs" }
        let unifiedProcs = unifiedDirectory.map { [$0 + "/cgroup.procs"] } ?? []
        return CgroupSpawnTargets(procsFiles: v1Procs + unifiedProcs, cloneIntoCgroup: unifiedDirectory,
                                  procsFilesOutsideClone: v1Procs)
    }

    private func directory(for controller: String) throws -> String {
        guard let hierarchy = layout.v1Hierarchy(for: controller) else {
            throw CgroupError(cgroup: path.description, step: "find \(controller) hierarchy",
                              reason: .unsupported("the \(controller) controller is not mounted"))
        }
        return path.absolute(under: hierarchy.mountPoint)
    }

    public func create() throws {
        let before = createdDirectories.count
        do {
            for (hierarchy, _) in v1Directories {
                try makeLevels(under: hierarchy.mountPoint, cpuset: hierarchy.controllers.contains("cpuset"))
            }
            if layout.mode == .hybrid, let mount = layout.unifiedMount {
                try makeLevels(under: mount, cpuset: false)
            }
        } catch {
            // A half-made path would outlive the failed container; undo only this call's work.
            rollBackCreated(since: before, created: created)
            throw error
        }
    }

    private func makeLevels(under mount: String, cpuset: Bool) throws {
        var parent = mount
        for level in path.levels {
            let dir = level.absolute(under: mount)
            if try files.makeDirectory(dir) {
                created.withLock { $0.append(dir) }
            }
            if cpuset { try inheritCpuset(from: parent, to: dir) }
            parent = dir
        }
    }

    /// A new v1 cpuset starts with empty cpus/mems and refuses tasks (ENOSPC) until both are
    /// set, so copy the parent's where ours are empty.
    private func inheritCpuset(from parent: String, to dir: String) throws {
        for file in ["cpuset.cpus", "cpuset.mems"] {
            let current = try files.read(dir + "/" + file, step: "read \(file)")
            guard current.trimmedWhitespace.isEmpty else { continue }
            let inherited = try files.read(parent + "/" + file, step: "read parent \(file)")
                .trimmedWhitespace
            try files.write(inherited, to: dir + "/" + file, step: "write \(file)")
        }
    }

    public func apply(_ resources: CgroupResources) throws {
        let plan: [CgroupWrite]
        do {
            // Only needed to order memory vs. memory+swap writes; unknown is handled as "new".
            var currentLimit: Int64?
            if let memoryDir = try? directory(for: "memory"),
               let value = try? files.readNumber(memoryDir + "/memory.limit_in_bytes", step: "read memory.limit_in_bytes") {
                currentLimit = Int64(clamping: value)
            }
            plan = try CgroupV1Plan.writes(for: resources, currentMemoryLimit: currentLimit)
        } catch var error as CgroupError {
            error.cgroup = path.description
            throw error
        }
        try runCgroupWrites(plan, files: files) { write in
            if let controller = write.controller { return try directory(for: controller) }
            guard let unified = unifiedDirectory else {
                throw CgroupError(cgroup: path.description, step: "write \(write.file)",
                                  reason: .unsupported("unified resources need a cgroup2 hierarchy"))
            }
            return unified
        }
    }

    public func addProcess(_ pid: Int32) throws {
        for file in spawnTargets.procsFiles {
            try files.write(String(pid), to: file, step: "write \(file) (pid \(pid))")
        }
    }

    /// Union over hierarchies: a process that escaped one hierarchy must still be found.
    public func pids() throws -> [Int32] {
        var all = Set<Int32>()
        for dir in allDirectories {
            all.formUnion(try files.readPids(dir + "/cgroup.procs", step: "read \(dir)/cgroup.procs") ?? [])
        }
        return all.sorted()
    }

    public func oomKillCount() throws -> UInt64 {
        try files.readKey("oom_kill", in: try directory(for: "memory") + "/memory.oom_control",
                          step: "read memory.oom_control") ?? 0
    }

    public func stats() throws -> CgroupStats {
        var s = CgroupStats()
        s.pids = try pids()
        if let pidsDir = try? directory(for: "pids") {
            s.pidsCurrent = try files.readNumber(pidsDir + "/pids.current", step: "read pids.current")
            s.pidsLimit = try files.readNumber(pidsDir + "/pids.max", step: "read pids.max")
        }
        if let memoryDir = try? directory(for: "memory") {
            s.memoryUsage = try files.readNumber(memoryDir + "/memory.usage_in_bytes", step: "read memory.usage_in_bytes")
            // v1 reports "unlimited" as a page-rounded LONG_MAX rather than a keyword.
            s.memoryLimit = try files.readNumber(memoryDir + "/memory.limit_in_bytes", step: "read memory.limit_in_bytes")
                .flatMap { $0 >= UInt64(Int64.max) / 2 ? nil : $0 }
            s.oomKillCount = try files.readKey("oom_kill", in: memoryDir + "/memory.oom_control", step: "read memory.oom_control")
        }
        if let cpuacctDir = try? directory(for: "cpuacct") {
            s.cpuUsageNanos = try files.readNumber(cpuacctDir + "/cpuacct.usage", step: "read cpuacct.usage")
            s.cpuUserNanos = try files.readNumber(cpuacctDir + "/cpuacct.usage_user", step: "read cpuacct.usage_user")
            s.cpuSystemNanos = try files.readNumber(cpuacctDir + "/cpuacct.usage_sys", step: "read cpuacct.usage_sys")
        }
        return s
    }

    public func freeze() throws {
        guard let dir = try? directory(for: "freezer") else {
            logger.debug("freezer not mounted; signalling without freezing", metadata: ["cgroup": "\(path)"])
            return
        }
        try files.write("FROZEN", to: dir + "/freezer.state", step: "write freezer.state")
        // FREEZING can persist while tasks are in uninterruptible sleep; bound the wait and go on.
        let deadline = ContinuousClock.now.advanced(by: .seconds(1))
        while ContinuousClock.now < deadline {
            let state = try files.read(dir + "/freezer.state", step: "read freezer.state")
            if state.trimmedWhitespace == "FROZEN" { return }
            usleep(2_000)
            try files.write("FROZEN", to: dir + "/freezer.state", step: "write freezer.state")
        }
        logger.warning("freezer did not reach FROZEN in time; continuing", metadata: ["cgroup": "\(path)"])
    }

    public func thaw() throws {
        guard let dir = try? directory(for: "freezer") else { return }
        try files.write("THAWED", to: dir + "/freezer.state", step: "write freezer.state")
    }

    /// In hybrid mode the unified leaf holds every container process, so its cgroup.kill
    /// (kernel ≥ 5.14) kills them all atomically even though the limits live in v1.
    func kernelKill() throws -> Bool {
        guard let unified = unifiedDirectory, files.exists(unified + "/cgroup.kill") else { return false }
        try files.write("1", to: unified + "/cgroup.kill", step: "write cgroup.kill")
        return true
    }

    public func destroy(removeCreatedParents: Bool, timeout: Duration) throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        // Try every hierarchy even after a failure so one stuck controller does not leak the
        // directories of all the others; report the first failure.
        var firstError: Error?
        for dir in allDirectories {
            do {
                try removeCgroupTree(dir, deadline: deadline)
            } catch {
                logger.error("cannot remove cgroup directory", metadata: ["cgroup": "\(path)", "error": "\(error)"])
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        if removeCreatedParents {
            self.removeCreatedParents(createdDirectories, leaves: Set(allDirectories))
        }
        created.withLock { $0.removeAll() }
    }
}
