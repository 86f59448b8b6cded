import Foundation
import Glibc
import Testing
@testable import NodeAgent

/// 200 create/start/wait/delete cycles through the library, in this process, as the agent
/// will do them: afterwards no extra mount, cgroup, process or open descriptor.
@Suite("No leaks", .serialized)
struct LeakTests {
    static func count(_ path: String) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: path))?.count ?? -1
    }

    static func mountCount() -> Int {
        ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    static func processCount() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { Int($0) != nil }.count
    }

    @Test("200 cycles leave no mount, cgroup, process or descriptor behind")
    func cycles() throws {
        let box = try Sandbox("leak")
        defer { box.cleanUp() }
        let b = try box.bundle(box.spec(["true"]), id: "cycle")
        // One warm-up so lazily opened descriptors (logging, cgroup detection) are counted.
        _ = try box.runtime.run(id: "warm", bundle: b)
        let fds = Self.count("/proc/self/fd"), mounts = Self.mountCount()
        let cgroups = box.cgroupDirectories().count, processes = Self.processCount()

        for i in 0..<200 {
            let exit = try box.runtime.run(id: "cycle-\(i)", bundle: b)
            try #require(exit.code == 0, "cycle \(i): \(exit)")
        }

        #expect(Self.count("/proc/self/fd") <= fds)
        #expect(Self.mountCount() == mounts)
        #expect(box.cgroupDirectories().count == cgroups)
        #expect(try box.runtime.list().isEmpty)
        // Other tests' helpers may come and go on the host; ours must all be gone.
        var settled = Self.processCount()
        for _ in 0..<100 where settled > processes { usleep(10_000); settled = Self.processCount() }
        #expect(settled <= processes + 2, "processes before \(processes), after \(settled)")
        let monitors = try shell("/bin/sh", ["-c", "grep -l swiftlet-mon /proc/[0-9]*/comm 2>/dev/null | wc -l"])
        #expect(monitors.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
