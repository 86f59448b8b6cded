import Foundation
import Glibc
import Logging
@testable import NodeAgent

/// Helpers for the cgroup root tests, namespaced so other suites in this target may use the same names.
enum CgroupRootEnv {
    static let rootTestLogger = Logger(label: "swiftlet.cgroup.roottests")


    /// The real host layout, or nil when detection fails (tests then skip themselves).
    static let hostLayout: CgroupLayout? = try? CgroupLayout.detect()

    /// A unified-only view of this host: the host itself on pure v2, the side mount on hybrid.
    static let hostUnifiedLayout: CgroupLayout? = {
        guard let host = hostLayout else { return nil }
        if host.mode == .unified { return host }
        guard let mount = host.unifiedMount else { return nil }
        return try? CgroupLayout.detect(root: mount)
    }()

    /// A prefix only these tests use, so the sweep below never touches other suites' cgroups.
    static let testTopPrefix = "swiftlet-test-cg-"

    static func uniqueTestTop() -> String {
        testTopPrefix + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// A crashed run cannot execute its `defer`s; remove empty leftovers of earlier runs before
    /// starting. rmdir only succeeds on cgroups without processes or children, so this is safe.
    static func sweepLeftoverTestCgroups(_ layout: CgroupLayout) {
        let mounts = layout.v1.map(\.mountPoint) + (layout.unifiedMount.map { [$0] } ?? [])
        for mount in mounts {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: mount)) ?? []
            for entry in entries where entry.hasPrefix(testTopPrefix) {
                rmdir("\(mount)/\(entry)/ctr1")
                rmdir("\(mount)/\(entry)")
            }
        }
    }

    /// Runs `body` with a manager for /<unique>/ctr1 and removes every directory it may have made,
    /// pass or fail: processes are killed, the manager destroys, then a blunt rmdir sweep in every
    /// hierarchy catches whatever an early failure left behind.
    static func withTestCgroup(layout: CgroupLayout, _ body: (any CgroupManager, String) throws -> Void) throws {
        sweepLeftoverTestCgroups(layout)
        let top = uniqueTestTop()
        let path = try CgroupPath("/\(top)/ctr1")
        let manager = try makeCgroupManager(path: path, layout: layout, logger: rootTestLogger)
        defer {
            try? manager.killAll(timeout: .seconds(2))
            try? manager.destroy(removeCreatedParents: true, timeout: .seconds(2))
            let mounts = layout.v1.map(\.mountPoint) + (layout.unifiedMount.map { [$0] } ?? [])
            for mount in mounts {
                rmdir("\(mount)/\(top)/ctr1")
                rmdir("\(mount)/\(top)")
            }
        }
        try body(manager, top)
    }

    /// `sleep` under Foundation's Process; terminated in `defer` by callers if still running.
    static func startSleep(_ seconds: Int = 30) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = [String(seconds)]
        try process.run()
        return process
    }

    /// Waits (bounded) for Foundation to observe the exit, so no test leaves a running child.
    static func waitForExit(_ process: Process, timeout: TimeInterval = 3) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        return !process.isRunning
    }

    static func readFile(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// SIGKILL rather than Process.terminate(): the SIGTERM it sends is blocked in children of the
    /// test runner (they inherit its signal mask).
    static func stopProcess(_ process: Process) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = waitForExit(process)
    }
}
