import ArgumentParser
import Glibc
import Logging
import NodeAgent

/// What each `swiftlet runtime` verb does, called both by the ArgumentParser commands and by
/// `RuntimeFastPath`, so the two ways in cannot drift apart.
enum RuntimeVerbs {
    static func runtime(root: String, debug: Bool) throws -> ContainerRuntime {
        var logger = Logger(label: "swiftlet.runtime") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = debug ? .debug : .warning
        do {
            return try ContainerRuntime(root: root, logger: logger)
        } catch {
            throw RuntimeFailure(message: "detect cgroups: \(error)")
        }
    }

    static func create(_ rt: ContainerRuntime, id: String, bundle: String, pidFile: String?) throws {
        _ = try runtimeCall { () throws(RuntimeError) in try rt.create(id: id, bundle: bundle, pidFile: pidFile) }
    }

    static func start(_ rt: ContainerRuntime, id: String) throws {
        try runtimeCall { () throws(RuntimeError) in try rt.start(id: id) }
    }

    static func state(_ rt: ContainerRuntime, id: String) throws {
        try printJSON(try runtimeCall { () throws(RuntimeError) in try rt.state(id: id) })
    }

    static func kill(_ rt: ContainerRuntime, id: String, signal: String, all: Bool) throws {
        guard let sig = signalNumber(signal) else { throw RuntimeFailure(message: "unknown signal \"\(signal)\"") }
        try runtimeCall { () throws(RuntimeError) in try rt.kill(id: id, signal: sig, all: all) }
    }

    static func delete(_ rt: ContainerRuntime, id: String, force: Bool) throws {
        try runtimeCall { () throws(RuntimeError) in try rt.delete(id: id, force: force) }
    }

    /// Throws ExitCode with the container's status, as `runc run` exits with it.
    static func run(_ rt: ContainerRuntime, id: String, bundle: String) throws {
        let exit = try runtimeCall { () throws(RuntimeError) in try rt.run(id: id, bundle: bundle, forwardSignals: true) }
        if exit.oomKilled {
            var err = StandardError()
            print("swiftlet: container \(id): OOM-killed (\(exit))", to: &err)
        }
        throw ExitCode(exit.code)
    }

    /// Throws ExitCode with the exec'd program's status, as `runc exec` exits with it.
    static func exec(_ rt: ContainerRuntime, id: String, command: [String], env: [String], cwd: String?, user: String?) throws {
        var identity: Spec.User?
        if let user {
            let parts = user.split(separator: ":", omittingEmptySubsequences: false)
            guard let uid = UInt32(parts[0]), parts.count <= 2, let gid = parts.count == 2 ? UInt32(parts[1]) : uid else {
                throw RuntimeFailure(message: "invalid --user \"\(user)\": use UID or UID:GID")
            }
            identity = Spec.User(uid: uid, gid: gid)
        }
        let request = ContainerRuntime.ExecRequest(args: command, env: env.isEmpty ? nil : env, cwd: cwd, user: identity)
        let exit = try runtimeCall { () throws(RuntimeError) in try rt.execAndWait(id: id, request) }
        throw ExitCode(exit.code)
    }
}
