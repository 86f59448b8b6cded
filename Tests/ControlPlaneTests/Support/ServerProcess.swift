import Foundation
import Glibc

/// `swiftlet server` as a real process on 127.0.0.1 with a free port and a temporary data directory;
/// `stop()` kills it and removes everything.
final class ServerProcess: @unchecked Sendable {
    static let binary: String = {
        // Tests/ControlPlaneTests/Support/ServerProcess.swift -> package root
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/swiftlet").path
    }()

    static let tokenCSV = """
    admintoken,boss,1,"system:masters"
    alicetoken,alice,2,"developers,qa"

    """

    let directory: TemporaryDirectory
    let child: ChildProcess
    let url: String

    var dataDir: String { directory.path + "/data" }
    var kubeconfig: String { dataDir + "/admin.kubeconfig" }

    private init(directory: TemporaryDirectory, child: ChildProcess, url: String) {
        self.directory = directory
        self.child = child
        self.url = url
    }

    /// Starts the server and waits for its "serving on" line (and the kubeconfig).
    static func start(extraArgs: [String] = [], reuse directory: TemporaryDirectory? = nil) async throws -> ServerProcess {
        let directory = try directory ?? TemporaryDirectory()
        let tokens = try directory.write("tokens.csv", tokenCSV)
        let child: ChildProcess
        do {
            child = try ChildProcess(binary, ["server", "--data-dir", directory.path + "/data", "--bind-address", "127.0.0.1",
                                              "--secure-port", "0", "--token-auth-file", tokens] + extraArgs)
        } catch {
            directory.remove()
            throw error
        }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let log = child.stdout + child.stderr
            if let range = log.range(of: "serving on https://") {
                let rest = log[range.upperBound...]
                let url = "https://" + rest.prefix { !$0.isWhitespace }
                return ServerProcess(directory: directory, child: child, url: url)
            }
            if let code = child.poll() {
                let log = child.stdout + child.stderr
                child.stop()
                directory.remove()
                throw ProcessError(description: "swiftlet server exited \(code): \(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let log = child.stdout + child.stderr
        child.stop()
        directory.remove()
        throw ProcessError(description: "swiftlet server did not start in 30s: \(log)")
    }

    /// Kills the process; keeps the data directory when `keepData` (a restart test reuses it).
    func stop(keepData: Bool = false) {
        child.stop()
        if !keepData { directory.remove() }
    }

    /// Repeats `attempt` every 200 ms until `done` holds or 20 s pass; returns the last result.
    func eventually(_ attempt: () async throws -> RunResult, until done: (RunResult) -> Bool) async throws -> RunResult {
        var last = try await attempt()
        for _ in 0..<100 where !done(last) {
            try await Task.sleep(for: .milliseconds(200))
            last = try await attempt()
        }
        return last
    }

    /// Polls `probe` every 200 ms until it returns non-nil or `timeout` passes.
    func poll<T>(timeout: Duration = .seconds(20), _ probe: () async throws -> T?) async throws -> T? {
        let end = ContinuousClock.now + timeout
        while true {
            if let value = try await probe() { return value }
            if ContinuousClock.now >= end { return nil }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The package root (this file is Tests/ControlPlaneTests/Support/ServerProcess.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The seed's `shared/scenarios` directory: `../shared/scenarios` beside the repository (the main
    /// checkout), or two levels up from a worktree under `wt/`; nil when neither exists.
    static let scenariosDirectory: String? = {
        let candidates = [packageRoot.deletingLastPathComponent().appendingPathComponent("shared/scenarios"),
                          packageRoot.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/scenarios")]
        return candidates.map(\.path).first { FileManager.default.fileExists(atPath: $0) }
    }()

    func kubectl(_ args: String..., environment: [String: String] = [:], stdin: String? = nil) async throws -> RunResult {
        try await kubectl(args, environment: environment, stdin: stdin)
    }

    func kubectl(_ args: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> RunResult {
        var input: String?
        if let stdin { input = try directory.write("stdin-\(UInt32.random(in: 0...UInt32.max))", stdin) }
        defer { if let input { try? FileManager.default.removeItem(atPath: input) } }
        return try await run("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", directory.path + "/cache"] + args,
                             environment: environment, stdinPath: input, timeout: 30)
    }

    /// Runs `body` with a started server, stopping it and removing its files afterwards, pass or fail.
    /// API-only by default (`--disable-control-loops`), so that what kubectl prints depends on the
    /// test's own requests alone; `controlLoops: true` runs the scheduler and the controllers too.
    static func with(controlLoops: Bool = false, extraArgs: [String] = [], _ body: (ServerProcess) async throws -> Void) async throws {
        let server = try await start(extraArgs: (controlLoops ? [] : ["--disable-control-loops"]) + extraArgs)
        defer { server.stop() }
        try await body(server)
    }
}
