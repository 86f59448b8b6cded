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

    static func create(_ rt: ContainerRuntime, id: String, bundle: String, pidFile: String?, consoleSocket: String?) throws {
        let io = ContainerIO(consoleSocket: try consoleSocket.map(connectConsoleSocket) ?? -1)
        defer { if io.consoleSocket >= 0 { close(io.consoleSocket) } }
        _ = try runtimeCall { () throws(RuntimeError) in try rt.create(id: id, bundle: bundle, io: io, pidFile: pidFile) }
    }

    /// runc's --console-socket: a unix socket path that receives the pty master.
    static func connectConsoleSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RuntimeFailure(message: "console socket \(path): socket: \(Errno(errno))") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw RuntimeFailure(message: "console socket \(path): path too long")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let e = Errno(errno)
            close(fd)
            throw RuntimeFailure(message: "console socket \(path): connect: \(e)")
        }
        return fd
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
    static func run(_ rt: ContainerRuntime, id: String, bundle: String, consoleSocket: String?) throws {
        let io = ContainerIO(consoleSocket: try consoleSocket.map(connectConsoleSocket) ?? -1)
        defer { if io.consoleSocket >= 0 { close(io.consoleSocket) } }
        let exit = try runtimeCall { () throws(RuntimeError) in try rt.run(id: id, bundle: bundle, io: io, forwardSignals: true) }
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
