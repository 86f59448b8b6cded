import Foundation
import Glibc
import Testing
@testable import NodeAgent

@Suite("Lifecycle", .serialized)
struct LifecycleTests {
    @Test("create → created (user code not started) → start → running → kill → stopped → delete")
    func lifecycle() throws {
        let box = try Sandbox("life")
        defer { box.cleanUp() }
        let out = box.dir + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var spec = box.spec(["sh", "-c", "echo started > /out/marker; exec sleep 1000"])
        spec.mounts?.append(Spec.Mount(destination: "/out", type: "bind", source: out, options: ["rbind", "rw"]))
        let b = try box.bundle(spec, id: "life")
        let rt = box.runtime

        let created = try rt.create(id: "life", bundle: b)
        var state = try rt.state(id: "life")
        #expect(state.status == .created)
        #expect(state.pid == created.pid && state.pid > 0)
        #expect(kill(state.pid, 0) == 0)
        usleep(100_000)
        #expect(!FileManager.default.fileExists(atPath: out + "/marker"), "user code ran before start")

        try rt.start(id: "life")
        var waited = 0
        while !FileManager.default.fileExists(atPath: out + "/marker") && waited < 200 { usleep(10_000); waited += 1 }
        #expect(FileManager.default.fileExists(atPath: out + "/marker"))
        state = try rt.state(id: "life")
        #expect(state.status == .running)
        #expect(throws: RuntimeError.wrongState(id: "life", operation: "start", status: .running)) { try rt.start(id: "life") }
        #expect(throws: RuntimeError.self) { try rt.delete(id: "life") }

        try rt.kill(id: "life", signal: SIGKILL)
        let status = try created.waitStatus()
        #expect(ExitStatus(waitStatus: status).signal == SIGKILL)
        state = try rt.state(id: "life")
        #expect(state.status == .stopped)
        #expect(state.exitCode == 137)

        try rt.delete(id: "life")
        #expect(throws: RuntimeError.notFound(id: "life")) { try rt.state(id: "life") }
        #expect(box.cgroupDirectories().allSatisfy { !$0.hasSuffix("/life") })
    }

    @Test("the exit status survives the creator: another runtime reads it from the state directory")
    func exitStatusSurvivesCreator() throws {
        let box = try Sandbox("exit")
        defer { box.cleanUp() }
        let b = try box.bundle(box.spec(["sh", "-c", "exit 42"]), id: "e")
        do {
            let created = try box.runtime.create(id: "e", bundle: b)
            _ = created  // dropped at once: as if the agent restarted
        }
        try box.runtime.start(id: "e")
        var state = try box.runtime.state(id: "e")
        for _ in 0..<300 where state.status != .stopped { usleep(10_000); state = try box.runtime.state(id: "e") }
        #expect(state.status == .stopped)
        #expect(state.exitCode == 42)
        try box.runtime.delete(id: "e")
    }

    @Test("a container joins another container's network namespace by path")
    func joinNetworkNamespace() throws {
        let box = try Sandbox("join")
        defer { box.cleanUp() }
        let rt = box.runtime
        let sandboxBundle = try box.bundle(box.spec(["sleep", "1000"]), id: "pause")
        let pause = try rt.create(id: "pause", bundle: sandboxBundle)
        try rt.start(id: "pause")
        let nsPath = "/proc/\(pause.pid)/ns/net"
        let expected = try FileManager.default.destinationOfSymbolicLink(atPath: nsPath)

        var spec = box.spec(["readlink", "/proc/self/ns/net"])
        let namespaces = spec.linux?.namespaces ?? []
        spec.linux?.namespaces = namespaces.map { $0.type == "network" ? Spec.Namespace(type: "network", path: nsPath) : $0 }
        let (exit, out) = try box.run(spec, id: "app")
        #expect(exit.code == 0, "\(out)")
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
        try rt.delete(id: "pause", force: true)
    }

    @Test("run exits with the program's status")
    func runExitCodes() throws {
        let box = try Sandbox("codes")
        defer { box.cleanUp() }
        #expect(try box.run(box.spec(["sh", "-c", "exit 3"])).0.code == 3)
        #expect(try box.run(box.spec(["true"])).0.code == 0)
    }
}
