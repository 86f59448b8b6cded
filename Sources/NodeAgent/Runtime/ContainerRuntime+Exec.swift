import SwiftletCSystem
import FoundationEssentials
import Glibc

extension ContainerRuntime {
    /// A process to run in a running container, as `runc exec` takes it: what is nil comes
    /// from the container's own process (env, cwd, user); capabilities, seccomp and
    /// no_new_privs are always the container's.
    public struct ExecRequest: Sendable {
        public var args: [String]
        public var env: [String]?
        public var cwd: String?
        public var user: Spec.User?
        /// A pty for the process (kubectl exec -t): pass a console socket in ContainerIO.
        public var terminal: Bool

        public init(args: [String], env: [String]? = nil, cwd: String? = nil, user: Spec.User? = nil, terminal: Bool = false) {
            self.args = args
            self.env = env
            self.cwd = cwd
            self.user = user
            self.terminal = terminal
        }
    }

    /// Starts `request` inside the container and returns at once; wait on the handle for its
    /// exit status. The process is confined like the container's own.
    public func exec(id: String, _ request: ExecRequest, io: ContainerIO = .inherit) throws(RuntimeError) -> CreatedContainer {
        let (record, state) = try load(id, operation: "exec")
        guard state.status == .running || state.status == .created else {
            throw .wrongState(id: id, operation: "exec", status: state.status)
        }
        guard !request.args.isEmpty else { throw .failed(id: id, operation: "exec", reason: "no program given") }
        let spec = try SpecLoader.load(bundle: record.bundle, id: id)
        var process = spec.process ?? Spec.Process()
        process.args = request.args
        if let env = request.env { process.env = (process.env ?? []) + env }
        if let cwd = request.cwd { process.cwd = cwd }
        if let user = request.user { process.user = user }
        let containerPlan = try PlanBuilder(id: id, bundle: record.bundle, host: hostCgroups, defaultCgroupParent: defaultCgroupParent)
            .build(spec)
        var plan = containerPlan.forExec(into: record.pid, namespaces: (spec.linux?.namespaces ?? []).map(\.type), process: process)
        plan.terminal = request.terminal
        try Self.checkTerminal(plan, io, operation: "exec")

        // Its own small directory: the monitor records the exit status there.
        let dir = files(id).directory + "/exec-\(UInt32.random(in: 0...UInt32.max))"
        if mkdir(dir, 0o700) < 0 { throw .step(id: id, operation: "exec", step: "create \(dir)", errno: Errno(errno)) }
        defer { try? FileSystem.removeTree(dir) }
        let cgroup = try makeCgroup(record.cgroupPath, id: id, operation: "exec")
        do {
            return try Spawner.spawn(plan: plan, io: io, cgroup: cgroup.spawnTargets, files: StateFiles(directory: dir)) { _ throws(RuntimeError) in Data() }
        } catch {
            throw error.renamed(to: "exec")
        }
    }

    /// exec and wait: how the exec'd program ended.
    public func execAndWait(id: String, _ request: ExecRequest, io: ContainerIO = .inherit) throws(RuntimeError) -> ExitStatus {
        let process = try exec(id: id, request, io: io)
        let status: Int32
        do { status = try process.waitStatus() } catch {
            throw .step(id: id, operation: "exec", step: "wait for the process", errno: error)
        }
        process.waitForMonitorExit()
        return ExitStatus(waitStatus: status)
    }
}

extension RuntimeError {
    /// The same failure reported under another operation's name (the spawn path says "create").
    func renamed(to operation: String) -> RuntimeError {
        switch self {
        case .step(let id, _, let step, let errno): return .step(id: id, operation: operation, step: step, errno: errno)
        case .failed(let id, _, let reason): return .failed(id: id, operation: operation, reason: reason)
        default: return self
        }
    }
}
