import Foundation
import Testing
@testable import NodeAgent

/// A process exec'd into a running container: what kubectl exec and exec probes will use.
@Suite("Exec", .serialized)
struct ExecTests {
    func withRunning(_ body: (Sandbox, CreatedContainer) throws -> Void) throws {
        let box = try Sandbox("exec")
        defer { box.cleanUp() }
        let b = try box.bundle(box.spec(["sleep", "1000"], hostname: "web-0"), id: "app")
        let app = try box.runtime.create(id: "app", bundle: b)
        try box.runtime.start(id: "app")
        try body(box, app)
        try box.runtime.delete(id: "app", force: true)
    }

    func execOutput(_ box: Sandbox, _ request: ContainerRuntime.ExecRequest) throws -> (NodeAgent.ExitStatus, String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ShellError(description: "pipe") }
        let exit: NodeAgent.ExitStatus
        do {
            exit = try box.runtime.execAndWait(id: "app", request, io: ContainerIO(stdout: fds[1], stderr: fds[1]))
        } catch {
            close(fds[0]); close(fds[1])
            throw error
        }
        close(fds[1])
        let data = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        return (exit, String(decoding: data, as: UTF8.self))
    }

    @Test("the process joins the container's namespaces and sees its processes, hostname and root")
    func joins() throws {
        try withRunning { box, app in
            let (exit, out) = try execOutput(box, .init(args: ["sh", "-c", "hostname; cat /proc/1/comm; ls /proc | grep -c '^[0-9]'; readlink /proc/self/ns/net; ls /bin/sysprobe"]))
            #expect(exit.code == 0, "\(out)")
            let lines = out.split(separator: "\n").map(String.init)
            #expect(lines.count == 5, "\(out)")
            guard lines.count == 5 else { return }
            #expect(lines[0] == "web-0")
            #expect(lines[1] == "sleep")  // PID 1 is the container's init
            #expect(Int(lines[2]) ?? 99 <= 5)
            let expected = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(app.pid)/ns/net")
            #expect(lines[3] == expected)
            #expect(lines[4] == "/bin/sysprobe")
        }
    }

    @Test("the process is confined like the container and its exit status comes back")
    func confinedAndStatus() throws {
        try withRunning { box, _ in
            let (exit, out) = try execOutput(box, .init(args: ["sh", "-c", "grep NoNewPrivs /proc/self/status; sysprobe unshare; exit 4"]))
            #expect(exit.code == 4, "\(out)")
            #expect(out.split(separator: "\n").map { $0.replacingOccurrences(of: "\t", with: " ") } == ["NoNewPrivs: 1", "unshare: EPERM"])
            let (envExit, envOut) = try execOutput(box, .init(args: ["sh", "-c", "echo $EXTRA; pwd; id -u"], env: ["EXTRA=yes"], cwd: "/tmp",
                                                               user: Spec.User(uid: 65534, gid: 65534)))
            #expect(envExit.code == 0 && envOut == "yes\n/tmp\n65534\n", "\(envOut)")
        }
    }

    @Test("bad exec requests fail clearly and leave nothing")
    func failures() throws {
        try withRunning { box, _ in
            #expect {
                _ = try box.runtime.exec(id: "app", .init(args: ["/bin/nope"]))
            } throws: { "\($0)" == "exec container app: exec \"/bin/nope\": no such file or directory" }
            #expect(throws: RuntimeError.notFound(id: "ghost")) { _ = try box.runtime.exec(id: "ghost", .init(args: ["true"])) }
            let dir = box.runtime.root + "/app"
            let left = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(left.allSatisfy { !$0.hasPrefix("exec-") })
            #expect(LeakTests.childMonitors() == 1)  // only the container's own
        }
        let box = try Sandbox("exec")
        defer { box.cleanUp() }
        let b = try box.bundle(box.spec(["true"]), id: "done")
        _ = try box.runtime.run(id: "gone", bundle: b)
        let created = try box.runtime.create(id: "done", bundle: b)
        try box.runtime.start(id: "done")
        _ = try created.waitStatus()
        #expect(throws: RuntimeError.wrongState(id: "done", operation: "exec", status: .stopped)) {
            _ = try box.runtime.exec(id: "done", .init(args: ["true"]))
        }
    }
}
