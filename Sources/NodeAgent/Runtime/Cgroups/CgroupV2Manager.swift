import Glibc
import Logging
import Synchronization

/// Cgroup v2 (unified) manager: one directory, controllers delegated from every ancestor,
/// devices through an eBPF program.
public final class CgroupV2Manager: CgroupManager, CgroupProcessControl {
    public let path: CgroupPath
    public let layout: CgroupLayout
    let logger: Logger
    let files: CgroupFiles
    let mount: String
    /// Directories created by this manager, so destroy never removes what it did not make.
    private let created = Mutex<[String]>([])

    /// Controllers a container may be limited by; enabled only where the parent offers them.
    public static let wantedControllers = ["cpu", "cpuset", "io", "memory", "pids"]

    public init(path: CgroupPath, layout: CgroupLayout, logger: Logger) throws {
        guard let mount = layout.unifiedMount else {
            throw CgroupError(cgroup: path.description, step: "select cgroup v2 manager",
                              reason: .unsupported("no cgroup2 hierarchy is mounted"))
        }
        self.path = path
        self.layout = layout
        self.logger = logger
        self.mount = mount
        self.files = CgroupFiles(cgroup: path.description)
    }

    public var directory: String { path.absolute(under: mount) }

    public var spawnTargets: CgroupSpawnTargets {
        CgroupSpawnTargets(procsFiles: [directory + "/cgroup.procs"], cloneIntoCgroup: directory, procsFilesOutsideClone: [])
    }

    public var createdDirectories: [String] { created.withLock { $0 } }

    public func create() throws {
        let before = createdDirectories.count
        do {
            var parent = mount
            for level in path.levels {
                try enableControllers(in: parent)
                let dir = level.absolute(under: mount)
                if try files.makeDirectory(dir) {
                    created.withLock { $0.append(dir) }
                }
                parent = dir
            }
        } catch {
            // A half-made path would outlive the failed container; undo only this call's work.
            rollBackCreated(since: before, created: created)
            throw error
        }
    }

    /// Writes "+controller" one at a time: a single combined write fails entirely if any one
    /// controller is refused (e.g. cpu while a realtime task sits in the parent).
    private func enableControllers(in dir: String) throws {
        let available = try files.readIfPresent(dir + "/cgroup.controllers", step: "read \(dir)/cgroup.controllers") ?? ""
        let enabled = try files.readIfPresent(dir + "/cgroup.subtree_control", step: "read \(dir)/cgroup.subtree_control") ?? ""
        let availableSet = Set(available.split(whereSeparator: \.isWhitespace).map(String.init))
        let enabledSet = Set(enabled.split(whereSeparator: \.isWhitespace).map(String.init))
        for controller in Self.wantedControllers where availableSet.contains(controller) && !enabledSet.contains(controller) {
            do {
                try files.write("+\(controller)", to: dir + "/cgroup.subtree_control", step: "enable +\(controller) in \(dir)")
            } catch {
                // The leaf's apply will report the missing file if this controller was needed.
                logger.warning("cannot enable cgroup controller", metadata: ["cgroup": "\(path)", "error": "\(error)"])
            }
        }
    }

    public func apply(_ resources: CgroupResources) throws {
        let plan: [CgroupWrite]
        do {
            plan = try CgroupV2Plan.writes(for: resources)
        } catch var error as CgroupError {
            error.cgroup = path.description
            throw error
        }
        try runCgroupWrites(plan, in: directory, files: files)
        if let rules = resources.devices {
            try CgroupDeviceBPF.attach(rules, directory: directory, files: files, logger: logger)
        }
    }

    public func addProcess(_ pid: Int32) throws {
        try files.write(String(pid), to: directory + "/cgroup.procs", step: "write cgroup.procs (pid \(pid))")
    }

    public func pids() throws -> [Int32] {
        (try files.readPids(directory + "/cgroup.procs", step: "read cgroup.procs") ?? []).sorted()
    }

    public func oomKillCount() throws -> UInt64 {
        try files.readKey("oom_kill", in: directory + "/memory.events", step: "read memory.events") ?? 0
    }

    public func stats() throws -> CgroupStats {
        var s = CgroupStats()
        s.pids = try pids()
        s.pidsCurrent = try files.readNumber(directory + "/pids.current", step: "read pids.current")
        s.pidsLimit = try files.readNumber(directory + "/pids.max", step: "read pids.max")
        s.memoryUsage = try files.readNumber(directory + "/memory.current", step: "read memory.current")
        s.memoryLimit = try files.readNumber(directory + "/memory.max", step: "read memory.max")
        s.oomKillCount = try files.readKey("oom_kill", in: directory + "/memory.events", step: "read memory.events")
        if let text = try files.readIfPresent(directory + "/cpu.stat", step: "read cpu.stat") {
            s.cpuUsageNanos = CgroupFiles.value(of: "usage_usec", inFlatKeyed: text).map { $0 * 1_000 }
            s.cpuUserNanos = CgroupFiles.value(of: "user_usec", inFlatKeyed: text).map { $0 * 1_000 }
            s.cpuSystemNanos = CgroupFiles.value(of: "system_usec", inFlatKeyed: text).map { $0 * 1_000 }
        }
        return s
    }

    public func freeze() throws {
        try setFrozen(true)
    }

    public func thaw() throws {
        try setFrozen(false)
    }

    /// cgroup.freeze is asynchronous: the write returns before every task stopped, so wait for
    /// cgroup.events to say "frozen 1". Kernels before 5.2 lack it; signalling still works there.
    private func setFrozen(_ frozen: Bool) throws {
        let file = directory + "/cgroup.freeze"
        guard files.exists(file) else {
            logger.debug("cgroup.freeze not available", metadata: ["cgroup": "\(path)"])
            return
        }
        try files.write(frozen ? "1" : "0", to: file, step: "write cgroup.freeze")
        guard frozen else { return }
        let deadline = ContinuousClock.now.advanced(by: .seconds(1))
        while ContinuousClock.now < deadline {
            let events = try files.read(directory + "/cgroup.events", step: "read cgroup.events")
            if CgroupFiles.value(of: "frozen", inFlatKeyed: events) == 1 { return }
            usleep(2_000)
        }
        logger.warning("cgroup did not report frozen in time; continuing", metadata: ["cgroup": "\(path)"])
    }

    public var hasKernelKill: Bool { files.exists(directory + "/cgroup.kill") }

    func kernelKill() throws -> Bool {
        guard hasKernelKill else { return false }
        try files.write("1", to: directory + "/cgroup.kill", step: "write cgroup.kill")
        return true
    }

    public func destroy(removeCreatedParents: Bool, timeout: Duration) throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        try removeCgroupTree(directory, deadline: deadline)
        if removeCreatedParents {
            self.removeCreatedParents(createdDirectories, leaves: [directory])
        }
        created.withLock { $0.removeAll() }
    }
}

/// Runs a plan against one directory (v2) or a resolver of hierarchy directories (v1).
func runCgroupWrites(_ plan: [CgroupWrite], in directory: String, files: CgroupFiles) throws {
    try runCgroupWrites(plan, files: files) { _ in directory }
}

func runCgroupWrites(_ plan: [CgroupWrite], files: CgroupFiles, directoryFor: (CgroupWrite) throws -> String) throws {
    var deferred: [CgroupWrite] = []
    func run(_ write: CgroupWrite, allowDefer: Bool) throws {
        let file = try directoryFor(write) + "/" + write.file
        do {
            try files.write(write.value, to: file, step: "write \(write.file)")
        } catch let error as CgroupError {
            if error.errno == ENOENT && write.skipIfMissing { return }
            if error.errno == EINVAL && write.retryLastOnEINVAL && allowDefer {
                deferred.append(write)
                return
            }
            throw error
        }
    }
    for write in plan { try run(write, allowDefer: true) }
    for write in deferred { try run(write, allowDefer: false) }
}
