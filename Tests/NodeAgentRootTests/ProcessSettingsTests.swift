import Foundation
import Testing
@testable import NodeAgent

@Suite("Process settings", .serialized)
struct ProcessSettingsTests {
    @Test("env, cwd, umask, rlimits, oom_score_adj and sysctls reach the process")
    func settings() throws {
        let box = try Sandbox("proc")
        defer { box.cleanUp() }
        var spec = box.spec(["sh", "-c",
            "echo $GREETING; pwd; umask; ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj; cat /proc/sys/net/ipv4/ip_forward; cat /proc/sys/kernel/shmmni"])
        spec.process?.env = ["PATH=/bin", "GREETING=hello world"]
        spec.process?.cwd = "/work/dir"   // created on demand, as runc does
        spec.process?.user.umask = 0o027
        // Lowering limits needs no privilege (this host withholds CAP_SYS_RESOURCE from us).
        spec.process?.rlimits = [Spec.Rlimit(type: "RLIMIT_NOFILE", hard: 200, soft: 100)]
        spec.process?.oomScoreAdj = 500
        spec.linux?.sysctl = ["net.ipv4.ip_forward": "1", "kernel.shmmni": "2048"]
        spec.linux?.readonlyPaths = []  // sysctls are written before /proc/sys turns read-only anyway
        let (exit, out) = try box.run(spec)
        #expect(exit.code == 0, "\(out)")
        #expect(out.split(separator: "\n") == ["hello world", "/work/dir", "0027", "100", "200", "500", "1", "2048"])
    }

    @Test("signals reach the container: kill with a handler-installing init, and kill --all")
    func signals() throws {
        let box = try Sandbox("sig")
        defer { box.cleanUp() }
        // PID 1 ignores signals it has no handler for; this one traps TERM and exits 7.
        let b = try box.bundle(box.spec(["sh", "-c", "trap 'exit 7' TERM; sleep 1000 & wait"]), id: "trap")
        let created = try box.runtime.create(id: "trap", bundle: b)
        try box.runtime.start(id: "trap")
        usleep(200_000)
        try box.runtime.kill(id: "trap", signal: SIGTERM)
        #expect(ExitStatus(waitStatus: try created.waitStatus()).code == 7)
        try box.runtime.delete(id: "trap")

        let b2 = try box.bundle(box.spec(["sh", "-c", "sleep 1000 & sleep 1000 & wait"]), id: "all")
        let c2 = try box.runtime.create(id: "all", bundle: b2)
        try box.runtime.start(id: "all")
        usleep(200_000)
        try box.runtime.kill(id: "all", signal: SIGKILL, all: true)
        #expect(ExitStatus(waitStatus: try c2.waitStatus()).signal == SIGKILL)
        try box.runtime.delete(id: "all")
    }
}
