@testable import APIServer
import Foundation
import Glibc

/// The real kubectl against a handler behind `PlainHTTPServer`, with its own temp dir for the
/// kubeconfig, the discovery cache and manifests; everything is removed by `close()`.
final class KubectlHarness: @unchecked Sendable {
    let http: PlainHTTPServer
    let dir: String
    static let binary = "/usr/bin/kubectl"

    init(handler: any APIHandler) throws {
        http = PlainHTTPServer(handler: handler)
        try http.start()
        dir = NSTemporaryDirectory() + "swiftlet-kubectl-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters: [{name: t, cluster: {server: "http://127.0.0.1:\(http.port)"}}]
        users: [{name: t, user: {}}]
        contexts: [{name: t, context: {cluster: t, user: t}}]
        current-context: t
        """
        try kubeconfig.write(toFile: dir + "/kubeconfig", atomically: true, encoding: .utf8)
    }

    func close() {
        http.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    func file(_ name: String, _ content: String) throws -> String {
        let p = dir + "/" + name
        try content.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    /// Runs kubectl (on its own thread, so waiting does not hold a cooperative thread the server needs).
    func run(_ args: String...) async throws -> (code: Int32, out: String, err: String) { try await run(args) }

    func run(_ args: [String]) async throws -> (code: Int32, out: String, err: String) {
        let all = ["--kubeconfig", dir + "/kubeconfig", "--cache-dir", dir + "/cache"] + args
        let dir = self.dir
        return try await withCheckedThrowingContinuation { cont in
            Thread.detachNewThread {
                do { cont.resume(returning: try KubectlHarness.spawnAndWait(KubectlHarness.binary, all, dir: dir)) } catch { cont.resume(throwing: error) }
            }
        }
    }

    static func spawnAndWait(_ path: String, _ args: [String], dir: String) throws -> (code: Int32, out: String, err: String) {
        let tag = UInt32.random(in: 0...UInt32.max)
        let out = dir + "/out-\(tag)", err = dir + "/err-\(tag)"
        defer { unlink(out); unlink(err) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw TestError("spawn \(path): errno \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }
}
