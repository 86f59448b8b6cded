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

    static func processesInCgroups(under parent: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
            Int(entry) != nil && ((try? String(contentsOfFile: "/proc/\(entry)/cgroup", encoding: .utf8))?.contains(parent + "/") ?? false)
        }
    }

    static func childMonitors() -> Int {
        let me = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
            guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return stat.contains("(swiftlet-mon)") && fields.count > 1 && Int32(fields[1]) == me
        }.count
    }

    @Test("200 cycles leave no mount, cgroup, process or descriptor behind")
    func cycles() throws {
        let box = try Sandbox("leak")
        defer { box.cleanUp() }
        let b = try box.bundle(box.spec(["true"]), id: "cycle")
        // One warm-up so lazily opened descriptors (logging, cgroup detection) are counted.
        _ = try box.runtime.run(id: "warm", bundle: b)
        let fds = Self.count("/proc/self/fd"), mounts = Self.mountCount()
        let cgroups = box.cgroupDirectories().count

        for i in 0..<200 {
            let exit = try box.runtime.run(id: "cycle-\(i)", bundle: b)
            try #require(exit.code == 0, "cycle \(i): \(exit)")
        }

        #expect(Self.count("/proc/self/fd") <= fds)
        #expect(Self.mountCount() == mounts)
        #expect(box.cgroupDirectories().count == cgroups)
        #expect(try box.runtime.list().isEmpty)
        // Other work on the host makes the machine's process count noise: instead, no process
        // may sit in any cgroup under this sandbox, and no monitor may remain our child.
        #expect(Self.processesInCgroups(under: box.cgroupParent).isEmpty)
        #expect(Self.childMonitors() == 0)
        // Our monitors are this process's children; other suites' (or other runs') are not ours to count.
        #expect(Self.childMonitors() == 0)
    }
}
