import Foundation
import Glibc

struct SpawnError: Error, CustomStringConvertible {
    var description: String
}

/// Runs a program to completion with stdout/stderr in files; posix_spawn + waitpid (Foundation's
/// Process can miss exits in a test process).
@discardableResult
func run(_ path: String, _ args: [String], in dir: String) throws -> String {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, dir + "/.out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, dir + "/.err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv = ([path] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard rc == 0 else { throw SpawnError(description: "spawn \(path): errno \(rc)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let out = (try? String(contentsOfFile: dir + "/.out", encoding: .utf8)) ?? ""
    guard (status & 0x7f) == 0, (status >> 8) & 0xff == 0 else {
        let err = (try? String(contentsOfFile: dir + "/.err", encoding: .utf8)) ?? ""
        throw SpawnError(description: "\(path) \(args.joined(separator: " ")): status \(status): \(err)")
    }
    return out
}

/// A temporary directory removed by `remove()` (call it in a defer).
struct TempDir {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "kubeclient-test-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw SpawnError(description: "mkdtemp: errno \(errno)") }
        path = String(cString: p)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path + "/" + name, encoding: .utf8)
    }
}
