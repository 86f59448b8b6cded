import Foundation
import Testing
@testable import NodeAgent

/// Production nodes are pure cgroup v2. This host is hybrid, but its unified hierarchy is a
/// real cgroup2 mount: running the runtime on it alone exercises the v2 path end to end —
/// clone3(CLONE_INTO_CGROUP), the eBPF device filter, cgroup.kill and the cgroup2 mount.
@Suite("Runtime on cgroup v2", .serialized)
struct CgroupV2RuntimeTests {
    static func v2Layout() throws -> CgroupLayout {
        let host = try CgroupLayout.detect()
        let unified = try #require(host.mode == .unified ? host.unifiedMount ?? "/sys/fs/cgroup" : host.unifiedMount,
                                   "this host has no cgroup2 mount")
        return CgroupLayout(mode: .unified, v1: [], unifiedMount: unified)
    }

    @Test("init is born in its v2 cgroup, sees it as its cgroup namespace root, and devices go through eBPF")
    func v2Container() throws {
        let layout = try Self.v2Layout()
        let box = try Sandbox("v2", layout: layout)
        defer { box.cleanUp() }
        let (exit, out) = try box.run(box.spec(["sh", "-c",
            "grep '^0::' /proc/self/cgroup; head -c 2 /dev/zero | wc -c; mknod /dev/mem c 1 1 && sysprobe read /dev/mem; ls /sys/fs/cgroup | grep -c cgroup.procs"]))
        #expect(exit.code == 0, "\(out)")
        #expect(out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["0::/", "2", "read: EPERM", "1"])
    }

    @Test("kill --all uses cgroup.kill and delete removes the v2 cgroup")
    func v2KillAll() throws {
        let layout = try Self.v2Layout()
        let box = try Sandbox("v2", layout: layout)
        defer { box.cleanUp() }
        let b = try box.bundle(box.spec(["sh", "-c", "sleep 1000 & sleep 1000 & wait"]), id: "k")
        let created = try box.runtime.create(id: "k", bundle: b)
        let dir = try #require(layout.unifiedMount) + box.cgroupParent + "/k"
        // CLONE_INTO_CGROUP put init there before it ran a single instruction elsewhere.
        #expect(try String(contentsOfFile: dir + "/cgroup.procs", encoding: .utf8).contains("\(created.pid)"))
        try box.runtime.start(id: "k")
        usleep(200_000)
        try box.runtime.kill(id: "k", signal: SIGKILL, all: true)
        #expect(ExitStatus(waitStatus: try created.waitStatus()).signal == SIGKILL)
        try box.runtime.delete(id: "k")
        #expect(!FileManager.default.fileExists(atPath: dir))
    }
}
