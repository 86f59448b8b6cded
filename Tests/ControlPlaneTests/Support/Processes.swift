import Foundation
import Glibc

struct ProcessError: Error, CustomStringConvertible {
    var description: String
}

/// A child process with its output in files; killed (its whole process group) by `stop()`.
/// Waiting polls `waitpid(WNOHANG)` so no cooperative thread blocks while the server under test
/// needs one.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    let directory: String
    private var exitCode: Int32?

    init(_ path: String, _ args: [String], environment: [String: String] = [:], stdinPath: String? = nil) throws {
        directory = NSTemporaryDirectory() + "swiftlet-cp-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory + "/out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, directory + "/err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so stop() also reaches what a shell child starts.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            try? FileManager.default.removeItem(atPath: directory)
            throw ProcessError(description: "spawn \(path): errno \(rc)")
        }
        self.pid = pid
    }

    var stdout: String { (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? "" }

    /// The exit code (128+signal when killed), or nil if still running.
    func poll() -> Int32? {
        if let exitCode { return exitCode }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return nil }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitCode = code
        return code
    }

    /// Waits for exit up to `timeout` seconds; nil when it is still running.
    func wait(timeout: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let code = poll() { return code }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return poll()
    }

    func signal(_ sig: Int32) {
        if poll() == nil { kill(pid, sig) }
    }

    /// Kills the process group, reaps the child and removes its output files.
    func stop() {
        if poll() == nil {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exitCode = 137
        } else {
            kill(-pid, SIGKILL)  // anything the child left in its group
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct RunResult {
    var code: Int32
    var out: String
    var err: String
}

/// Runs a program to completion (killed after `timeout` seconds) and returns its output.
func run(_ path: String, _ args: [String], environment: [String: String] = [:], stdinPath: String? = nil,
         timeout: Double = 30) async throws -> RunResult {
    let child = try ChildProcess(path, args, environment: environment, stdinPath: stdinPath)
    defer { child.stop() }
    guard let code = await child.wait(timeout: timeout) else {
        throw ProcessError(description: "\(path) \(args.joined(separator: " ")) still running after \(timeout)s; stderr: \(child.stderr)")
    }
    return RunResult(code: code, out: child.stdout, err: child.stderr)
}

/// A scratch directory removed by `remove()`.
struct TemporaryDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "swiftlet-cptest-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
