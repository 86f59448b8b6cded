import SwiftletCSystem
import FoundationEssentials
import Glibc
import Logging

/// The OCI runtime: create, start, state, kill, delete and list containers kept under
/// `root`. Each call may come from a different process (the runc-compatible CLI) or from
/// the agent; everything a later call needs is in the container's state directory.
public struct ContainerRuntime: Sendable {
    public let root: String
    public let cgroupLayout: CgroupLayout
    public let defaultCgroupParent: String
    let logger: Logger

    public static let defaultRoot = "/run/swiftlet/runtime"

    public init(root: String = ContainerRuntime.defaultRoot, cgroupLayout: CgroupLayout? = nil,
                defaultCgroupParent: String = "/swiftlet", logger: Logger) throws {
        self.root = root
        self.cgroupLayout = try cgroupLayout ?? CgroupLayout.detect()
        self.defaultCgroupParent = defaultCgroupParent
        self.logger = logger
    }

    func files(_ id: String) -> StateFiles { StateFiles(directory: root + "/" + id) }

    var hostCgroups: HostCgroupMounts {
        HostCgroupMounts(unified: cgroupLayout.mode == .unified,
                         v1Hierarchies: cgroupLayout.v1.map { .init(name: String($0.mountPoint.split(separator: "/").last ?? ""), mountPoint: $0.mountPoint) })
    }

    static func validate(id: String) throws(RuntimeError) {
        let ok = !id.isEmpty && id.utf8.count <= 1024 && id != "." && id != ".."
            && id.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2d || c == 0x2e
            }
        if !ok { throw .invalidID(id) }
    }

    /// Makes the plan without touching the system: every bundle error surfaces here.
    public func plan(id: String, bundle: String) throws(RuntimeError) -> ContainerPlan {
        try Self.validate(id: id)
        let bundle = absolute(bundle)
        let spec = try SpecLoader.load(bundle: bundle, id: id)
        return try PlanBuilder(id: id, bundle: bundle, host: hostCgroups, defaultCgroupParent: defaultCgroupParent).build(spec)
    }

    // MARK: create

    /// Creates the container: its init exists in its namespaces and cgroup, the user's program
    /// has not started. On any failure nothing is left: no cgroup, state directory or process.
    @discardableResult
    public func create(id: String, bundle: String, io: ContainerIO = .inherit, pidFile: String? = nil) throws(RuntimeError) -> CreatedContainer {
        let plan = try plan(id: id, bundle: bundle)
        return try create(plan: plan, io: io, pidFile: pidFile)
    }

    public func create(plan: ContainerPlan, io: ContainerIO = .inherit, pidFile: String? = nil) throws(RuntimeError) -> CreatedContainer {
        let id = plan.id
        try Self.checkTerminal(plan, io, operation: "create")
        let f = files(id)
        do { try FileSystem.makeDirectories(root, mode: 0o711) } catch {
            throw .step(id: id, operation: "create", step: "create state root \(root)", errno: error)
        }
        if mkdir(f.directory, 0o700) < 0 {
            if errno == EEXIST { throw .alreadyExists(id: id) }
            throw .step(id: id, operation: "create", step: "create state directory \(f.directory)", errno: Errno(errno))
        }
        var cgroup: (any CgroupManager)?
        do throws(RuntimeError) {
            if mkfifo(f.execFifo, 0o600) < 0 {
                throw .step(id: id, operation: "create", step: "mkfifo \(f.execFifo)", errno: Errno(errno))
            }
            let manager = try makeCgroup(plan.cgroupPath, id: id, operation: "create")
            cgroup = manager
            do {
                try manager.create()
                try manager.apply(plan.cgroupResources)
            } catch {
                throw .failed(id: id, operation: "create", reason: "\(error)")
            }
            let created = try Spawner.spawn(plan: plan, io: io, cgroup: manager.spawnTargets, files: f) { pid throws(RuntimeError) in
                try runCreateHooks(plan: plan, pid: pid)
            }
            let record = ContainerRecord(
                ociVersion: "1.2.0", id: id, bundle: plan.bundle, rootfs: plan.rootfs, pid: created.pid,
                pidStartTime: Int64(swl_process_start_time(created.pid)), monitorPid: created.monitorPid, created: rfc3339Now(),
                cgroupPath: plan.cgroupPath, annotations: plan.annotations,
                poststart: plan.hooks.poststart ?? [], poststop: plan.hooks.poststop ?? [])
            do {
                try FileSystem.writeAtomically(f.state, try JSONEncoder().encode(record))
                if let pidFile { try FileSystem.writeAtomically(pidFile, Data("\(created.pid)".utf8), mode: 0o644) }
            } catch {
                Glibc.kill(created.pid, SIGKILL)
                created.waitForMonitorExit()
                throw .failed(id: id, operation: "create", reason: "write state: \(error)")
            }
            logger.debug("container created", metadata: ["container": "\(id)", "pid": "\(created.pid)"])
            return created
        } catch {
            if let cgroup { try? cgroup.killAll(); try? cgroup.destroy() }
            try? FileSystem.removeTree(f.directory)
            throw error
        }
    }

    /// runc's rule: a terminal needs a console socket to send it to, and a console socket
    /// without a terminal is a mistake worth reporting.
    static func checkTerminal(_ plan: ContainerPlan, _ io: ContainerIO, operation: String) throws(RuntimeError) {
        if plan.terminal && io.consoleSocket < 0 {
            throw .failed(id: plan.id, operation: operation, reason: "process.terminal is set: a console socket is needed (--console-socket)")
        }
        if !plan.terminal && io.consoleSocket >= 0 {
            throw .failed(id: plan.id, operation: operation, reason: "a console socket was given but process.terminal is not set")
        }
    }

    /// Receives the pty master that init sends over the console socket.
    public static func receiveTerminal(from socket: Int32) throws(Errno) -> Int32 {
        let fd = swl_recv_fd(socket)
        if fd < 0 { throw Errno(-fd) }
        return fd
    }

    private func runCreateHooks(plan: ContainerPlan, pid: Int32) throws(RuntimeError) -> Data {
        let state = ContainerState(ociVersion: "1.2.0", id: plan.id, status: .creating, pid: pid, bundle: plan.bundle,
                                   annotations: plan.annotations, rootfs: plan.rootfs, created: rfc3339Now(),
                                   cgroupPath: plan.cgroupPath)
        let json = (try? JSONEncoder().encode(state)) ?? Data()
        do {
            try HookRunner.run((plan.hooks.prestart ?? []) + (plan.hooks.createRuntime ?? []), phase: "createRuntime", state: json)
        } catch {
            throw .failed(id: plan.id, operation: "create", reason: error.description)
        }
        return json
    }

    func makeCgroup(_ path: String, id: String, operation: String) throws(RuntimeError) -> any CgroupManager {
        do {
            return try makeCgroupManager(path: try CgroupPath(path), layout: cgroupLayout, logger: logger)
        } catch {
            throw .failed(id: id, operation: operation, reason: "cgroup \(path): \(error)")
        }
    }

    // MARK: start

    /// Lets init run the user's program, then runs the poststart hooks.
    public func start(id: String) throws(RuntimeError) {
        let (record, status) = try load(id, operation: "start")
        guard status.status == .created else { throw .wrongState(id: id, operation: "start", status: status.status) }
        let f = files(id)
        let rc = swl_exec_fifo_signal(f.execFifo)
        if rc == -ENXIO { throw .failed(id: id, operation: "start", reason: "container init is not waiting to start") }
        if rc < 0 { throw .step(id: id, operation: "start", step: "signal \(f.execFifo)", errno: Errno(-rc)) }
        unlink(f.execFifo)
        runLoggingFailures(record.poststart, phase: "poststart", state: status, as: .running)
    }

    /// poststart and poststop hooks: the spec says a failure is logged and the lifecycle goes on.
    private func runLoggingFailures(_ hooks: [Spec.Hook], phase: String, state: ContainerState, as status: ContainerStatus) {
        guard !hooks.isEmpty else { return }
        var state = state
        state.status = status
        do {
            try HookRunner.run(hooks, phase: phase, state: (try? JSONEncoder().encode(state)) ?? Data())
        } catch {
            logger.warning("\(phase) hook failed", metadata: ["container": "\(state.id)", "error": "\(error)"])
        }
    }

    // MARK: state

    public func state(id: String) throws(RuntimeError) -> ContainerState {
        try load(id, operation: "state").1
    }

    func load(_ id: String, operation: String) throws(RuntimeError) -> (ContainerRecord, ContainerState) {
        try Self.validate(id: id)
        let f = files(id)
        let data: Data
        do { data = try readFile(f.state) } catch {
            if error.rawValue == ENOENT { throw .notFound(id: id) }
            throw .step(id: id, operation: operation, step: "read \(f.state)", errno: error)
        }
        let record: ContainerRecord
        do { record = try JSONDecoder().decode(ContainerRecord.self, from: data) } catch {
            throw .failed(id: id, operation: operation, reason: "corrupt state file \(f.state): \(error)")
        }
        var state = ContainerState(ociVersion: record.ociVersion, id: id, status: .stopped, pid: record.pid,
                                   bundle: record.bundle, annotations: record.annotations.isEmpty ? nil : record.annotations,
                                   rootfs: record.rootfs, created: record.created, cgroupPath: record.cgroupPath)
        var waitStatus: Int32 = 0
        if swl_read_exit_file(f.exit, &waitStatus) == 0 {
            let oom = ((try? makeCgroup(record.cgroupPath, id: id, operation: operation).oomKillCount()) ?? 0) > 0
            let exit = ExitStatus(waitStatus: waitStatus, oomKilled: oom)
            state.exitCode = exit.code
            state.oomKilled = oom
            if let text = try? readFile(f.execError), let line = String(data: text, encoding: .utf8) {
                state.startError = Self.describeStartError(line)
            }
        } else if isAlive(record) {
            state.status = FileSystem.exists(f.execFifo) ? .created : .running
        }
        return (record, state)
    }

    private func isAlive(_ record: ContainerRecord) -> Bool {
        guard Glibc.kill(record.pid, 0) == 0 || errno == EPERM else { return false }
        return Int64(swl_process_start_time(record.pid)) == record.pidStartTime
    }

    /// "2 exec \"/bin/nope\"" as the monitor wrote it → `exec "/bin/nope": no such file or directory`.
    static func describeStartError(_ line: String) -> String {
        let trimmed = line.split(separator: "\n").first.map(String.init) ?? ""
        guard let space = trimmed.firstIndex(of: " "), let err = Int32(trimmed[..<space]) else { return trimmed }
        return "\(trimmed[trimmed.index(after: space)...]): \(Errno(err))"
    }

    // MARK: kill

    /// Sends a signal to init, or with `all` to every process in the container's cgroup.
    public func kill(id: String, signal: Int32, all: Bool = false) throws(RuntimeError) {
        let (record, state) = try load(id, operation: "kill")
        guard state.status == .created || state.status == .running else {
            throw .wrongState(id: id, operation: "kill", status: state.status)
        }
        if all {
            let cgroup = try makeCgroup(record.cgroupPath, id: id, operation: "kill")
            do {
                if signal == SIGKILL { try cgroup.killAll() } else { try cgroup.signalAll(signal) }
            } catch {
                throw .failed(id: id, operation: "kill", reason: "\(error)")
            }
        } else if Glibc.kill(record.pid, signal) < 0 {
            throw .step(id: id, operation: "kill", step: "kill \(record.pid) with signal \(signal)", errno: Errno(errno))
        }
    }

    // MARK: delete

    /// Removes a stopped (or, with `force`, any) container: its processes, cgroup and state.
    /// A container that was created but never started is deleted without `force`, as runc does.
    public func delete(id: String, force: Bool = false) throws(RuntimeError) {
        let (record, state) = try load(id, operation: "delete")
        if state.status == .running && !force {
            throw .failed(id: id, operation: "delete", reason: "container is running: stop it first or use --force")
        }
        let cgroup = try makeCgroup(record.cgroupPath, id: id, operation: "delete")
        if state.status != .stopped {
            Glibc.kill(record.pid, SIGKILL)
            try? cgroup.killAll()
            waitUntilStopped(record)
        }
        reapMonitor(record.monitorPid)
        do {
            try cgroup.killAll()
            try cgroup.destroy()
        } catch {
            throw .failed(id: id, operation: "delete", reason: "\(error)")
        }
        runLoggingFailures(record.poststop, phase: "poststop", state: state, as: .stopped)
        do { try FileSystem.removeTree(files(id).directory) } catch {
            throw .step(id: id, operation: "delete", step: "remove \(files(id).directory)", errno: error)
        }
    }

    /// When this process created the container, its monitor is our child: collect it so it
    /// does not linger as a zombie. It exits right after recording init's exit.
    private func reapMonitor(_ pid: Int32) {
        // A recycled pid must not be reaped: only our own child that is still our monitor.
        guard pid > 0, let stat = try? readFile("/proc/\(pid)/stat"),
              let text = String(data: stat, encoding: .utf8), let close = text.lastIndex(of: ")") else { return }
        let name = text[text.index(after: text.firstIndex(of: "(") ?? text.startIndex)..<close]
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard name == "swiftlet-mon", fields.count > 1, Int32(fields[1]) == getpid() else { return }
        for _ in 0..<500 {
            let rc = swl_try_reap(pid)
            if rc != -EAGAIN { return }
            usleep(1000)
        }
    }

    /// Waits (bounded) for the monitor to record init's exit, so the state directory is not
    /// removed under it.
    private func waitUntilStopped(_ record: ContainerRecord) {
        let deadline = monotonicSeconds() + 10
        let f = files(record.id)
        var status: Int32 = 0
        while monotonicSeconds() < deadline {
            if swl_read_exit_file(f.exit, &status) == 0 { return }
            if !isAlive(record) {
                // init is gone; give the monitor a moment to write its file.
                usleep(2000)
                if swl_read_exit_file(f.exit, &status) == 0 { return }
            }
            usleep(1000)
        }
    }

    // MARK: list

    public func list() throws(RuntimeError) -> [ContainerState] {
        let names: [String]
        do { names = try FileSystem.entries(root) } catch {
            if error.rawValue == ENOENT { return [] }
            throw .step(id: "*", operation: "list", step: "read \(root)", errno: error)
        }
        return names.compactMap { try? state(id: $0) }
    }
}

func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return clean(path) }
    var buf = [CChar](repeating: 0, count: Int(PATH_MAX))
    guard getcwd(&buf, buf.count) != nil else { return path }
    return clean(join(cString(buf), path))
}
