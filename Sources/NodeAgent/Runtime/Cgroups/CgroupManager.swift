import Glibc
import Logging
import Synchronization

/// What the C spawn path needs to place a container's init process before it runs user code.
public struct CgroupSpawnTargets: Sendable, Equatable {
    /// Every cgroup.procs file (all hierarchies) the init pid must be written to.
    public var procsFiles: [String]
    /// The cgroup2 leaf directory for clone3(CLONE_INTO_CGROUP); nil in legacy mode.
    public var cloneIntoCgroup: String?
    /// The procs files that CLONE_INTO_CGROUP does not cover and must still be written
    /// (the v1 hierarchies in hybrid mode; all of them in legacy mode; none in unified mode).
    public var procsFilesOutsideClone: [String]

    public init(procsFiles: [String], cloneIntoCgroup: String?, procsFilesOutsideClone: [String]) {
        self.procsFiles = procsFiles
        self.cloneIntoCgroup = cloneIntoCgroup
        self.procsFilesOutsideClone = procsFilesOutsideClone
    }
}

/// A snapshot of the counters the runtime reports. nil means the kernel does not expose it here.
public struct CgroupStats: Sendable, Equatable {
    public var pids: [Int32] = []
    public var pidsCurrent: UInt64?
    /// nil when unlimited.
    public var pidsLimit: UInt64?
    public var memoryUsage: UInt64?
    /// nil when unlimited.
    public var memoryLimit: UInt64?
    /// Processes the kernel OOM killer killed in this cgroup; lets the runtime report "OOMKilled".
    public var oomKillCount: UInt64?
    public var cpuUsageNanos: UInt64?
    public var cpuUserNanos: UInt64?
    public var cpuSystemNanos: UInt64?

    public init() {}
}

/// The lifecycle of one container cgroup, runc/crun style. Implementations exist for cgroup v2
/// (`CgroupV2Manager`) and v1/hybrid (`CgroupV1Manager`); `makeCgroupManager` picks one from
/// the detected layout.
public protocol CgroupManager: AnyObject, Sendable {
    var path: CgroupPath { get }
    var layout: CgroupLayout { get }
    var spawnTargets: CgroupSpawnTargets { get }

    /// Creates the cgroup (and missing parents) in every hierarchy. Idempotent.
    func create() throws
    /// Writes the given limits; nil fields are left alone, so this is also "update".
    func apply(_ resources: CgroupResources) throws
    /// Moves a process (whole thread group) into the cgroup in every hierarchy.
    func addProcess(_ pid: Int32) throws
    /// Pids in the cgroup (union over hierarchies), sorted.
    func pids() throws -> [Int32]
    func stats() throws -> CgroupStats
    /// The OOM-kill counter; 0 when the kernel does not expose one.
    func oomKillCount() throws -> UInt64
    func freeze() throws
    func thaw() throws
    /// Sends `signal` once to every process, with the cgroup frozen so none can fork away.
    func signalAll(_ signal: Int32) throws
    /// SIGKILLs every process and waits until the cgroup is empty or `timeout` passes.
    func killAll(timeout: Duration) throws
    /// Removes the cgroup in every hierarchy, waiting up to `timeout` for dying processes.
    /// With `removeCreatedParents`, also removes now-empty parents this manager created.
    func destroy(removeCreatedParents: Bool, timeout: Duration) throws
}

extension CgroupManager {
    public func killAll() throws { try killAll(timeout: .seconds(5)) }
    public func destroy(removeCreatedParents: Bool = false) throws {
        try destroy(removeCreatedParents: removeCreatedParents, timeout: .seconds(2))
    }
}

/// Picks the implementation for the host's mode: v2 for unified, v1 (with the unified side
/// mount tracked as well) for hybrid and legacy.
public func makeCgroupManager(path: CgroupPath, layout: CgroupLayout, logger: Logger) throws -> any CgroupManager {
    switch layout.mode {
    case .unified: return try CgroupV2Manager(path: path, layout: layout, logger: logger)
    case .hybrid, .legacy: return CgroupV1Manager(path: path, layout: layout, logger: logger)
    }
}

/// Shared process-control logic; each manager supplies the version-specific primitives.
protocol CgroupProcessControl: CgroupManager {
    var logger: Logger { get }
    var files: CgroupFiles { get }
    /// Writes cgroup.kill when the kernel offers it; returns false when it does not.
    func kernelKill() throws -> Bool
}

extension CgroupProcessControl {
    public func signalAll(_ signal: Int32) throws {
        if signal == SIGKILL, try kernelKill() { return }
        try signalEach(signal)
    }

    public func killAll(timeout: Duration) throws {
        try killEverything(timeout: timeout)
    }

    func signalEach(_ signal: Int32) throws {
        // Freezing only narrows the fork race; delivering the signal matters more, so a
        // freezer failure is logged and the signal goes out anyway.
        do {
            try freeze()
        } catch {
            logger.warning("cannot freeze before signalling; signalling anyway", metadata: ["cgroup": "\(path)", "error": "\(error)"])
        }
        // Thaw unconditionally: a failed freeze may still have left the cgroup FREEZING.
        defer {
            do { try thaw() } catch { logger.error("thaw after signalling failed", metadata: ["cgroup": "\(path)", "error": "\(error)"]) }
        }
        for pid in try pids() {
            if kill(pid, signal) != 0 && errno != ESRCH {
                throw files.fail("kill pid \(pid) with signal \(signal)")
            }
        }
    }

    func killEverything(timeout: Duration) throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var remaining = try pids()
        var firstRound = true
        while !remaining.isEmpty {
            // cgroup.kill is atomic against forks; without it, freezing stops forks while we
            // walk the list, and the loop catches anything that slipped in before the freeze.
            // Later rounds signal pid by pid: in hybrid mode a process the spawn path placed
            // only in v1 hierarchies is invisible to the unified cgroup.kill.
            let killedByKernel = firstRound ? try kernelKill() : false
            if !killedByKernel {
                try signalEach(SIGKILL)
            }
            firstRound = false
            let round = clock.now.advanced(by: .milliseconds(200))
            // SIGKILLed processes are usually gone within a millisecond: look again soon,
            // then back off.
            var delay: UInt32 = 500
            repeat {
                usleep(delay)
                delay = min(delay * 2, 5_000)
                remaining = try pids()
            } while !remaining.isEmpty && clock.now < round && clock.now < deadline
            if !remaining.isEmpty && clock.now >= deadline {
                throw CgroupError(cgroup: path.description, step: "kill all processes",
                                  reason: .timeout("\(remaining.count) process(es) still present: \(remaining.prefix(10).map(String.init).joined(separator: " "))"))
            }
        }
    }

    /// Removes a cgroup directory and any child cgroups below it, deepest first. EBUSY is
    /// retried because exiting processes leave the cgroup a little after they are signalled.
    func removeCgroupTree(_ directory: String, deadline: ContinuousClock.Instant) throws {
        for child in files.childDirectories(directory) {
            try removeCgroupTree(child, deadline: deadline)
        }
        var delay: UInt32 = 2_000
        while rmdir(directory) != 0 {
            let code = errno
            if code == ENOENT { return }
            guard code == EBUSY || code == EAGAIN, ContinuousClock.now < deadline else {
                throw files.fail("rmdir \(directory)", code)
            }
            usleep(delay)
            delay = min(delay * 2, 50_000)
        }
    }

    /// Best effort: a parent another cgroup still uses stays, which is the expected case.
    func removeCreatedParents(_ created: [String], leaves: Set<String>) {
        for dir in created.sorted(by: { $0.count > $1.count }) where !leaves.contains(dir) {
            if rmdir(dir) != 0 && errno != ENOENT {
                logger.debug("kept cgroup parent", metadata: ["path": "\(dir)", "errno": "\(errno)"])
            }
        }
    }

    /// Removes directories recorded after index `since`, deepest first; nothing is in them yet.
    func rollBackCreated(since: Int, created: borrowing Mutex<[String]>) {
        let mine = created.withLock { list -> [String] in
            let tail = Array(list[min(since, list.count)...])
            list.removeLast(tail.count)
            return tail
        }
        for dir in mine.reversed() where rmdir(dir) != 0 && errno != ENOENT {
            logger.warning("cannot roll back cgroup directory", metadata: ["path": "\(dir)", "errno": "\(errno)"])
        }
    }
}
