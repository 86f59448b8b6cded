import Foundation
import Glibc

// Real processes for the tests: spawned with posix_spawn, reaped with waitpid (Foundation.Process
// misses exits), output to files in a temp dir that the owner removes.

struct TestFailure: Error, CustomStringConvertible {
    var description: String
}

/// A temp directory removed with everything in it by `remove()` (call it in defer).
final class TempDir: @unchecked Sendable {
    let path: String
    init(_ label: String) throws {
        path = NSTemporaryDirectory() + "swiftlet-etcdapi-\(label)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Loopback ports free at the time of asking (bound to port 0, read back, closed).
func freePorts(_ n: Int) throws -> [Int] {
    var fds: [Int32] = []
    defer { for fd in fds { close(fd) } }
    var ports: [Int] = []
    for _ in 0..<n {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure(description: "socket: errno \(errno)") }
        fds.append(fd)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { throw TestFailure(description: "bind: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        ports.append(Int(UInt16(bigEndian: addr.sin_port)))
    }
    return ports
}

/// A spawned process. `stop` signals and reaps it; safe to call twice.
final class Spawned: @unchecked Sendable {
    let pid: pid_t
    let outPath: String
    let errPath: String
    private var reaped: Int32?

    init(_ path: String, _ args: [String], outPath: String, errPath: String, stdinPath: String = "/dev/null",
         environment: [String: String] = [:]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw TestFailure(description: "spawn \(path): errno \(rc)") }
        self.pid = pid
        self.outPath = outPath
        self.errPath = errPath
    }

    /// Non-blocking: the exit code if the process has ended.
    func exitCode() -> Int32? {
        if let reaped { return reaped }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return nil }
        reaped = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return reaped
    }

    /// Blocks until the process ends; returns its code (128+signal when killed).
    @discardableResult
    func wait() -> Int32 {
        if let reaped { return reaped }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return reaped!
    }

    /// Sends `signal`, waits up to `seconds`, then SIGKILLs; returns the exit code.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, seconds: Double = 10) -> Int32 {
        if let reaped { return reaped }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let code = exitCode() { return code }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        return wait()
    }

    var output: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
}

/// Runs a program to completion and returns its code and output.
func run(_ path: String, _ args: [String], stdin: String? = nil, environment: [String: String] = [:],
         in dir: TempDir) throws -> (code: Int32, out: String, err: String) {
    let tag = UInt32.random(in: 0...UInt32.max)
    let inPath = "\(dir.path)/in-\(tag)"
    if let stdin { try stdin.write(toFile: inPath, atomically: false, encoding: .utf8) }
    let p = try Spawned(path, args, outPath: "\(dir.path)/out-\(tag)", errPath: "\(dir.path)/err-\(tag)",
                        stdinPath: stdin == nil ? "/dev/null" : inPath, environment: environment)
    let code = p.wait()
    let result = (code, p.output, p.errors)
    for f in ["in", "out", "err"] { try? FileManager.default.removeItem(atPath: "\(dir.path)/\(f)-\(tag)") }
    return result
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path
let swiftletBinary = repositoryRoot + "/.build/debug/swiftlet"
let etcdctlBinary = "/usr/bin/etcdctl"
let etcdBinary = "/usr/bin/etcd"
