import Foundation
import Testing
@testable import NodeAgent

/// The runc-compatible command line, driven as an operator or a higher-level tool would.
@Suite("Runtime CLI", .serialized)
struct RuntimeCLITests {
    static var binary: String { Fixture.packageRoot + "/.build/debug/swiftlet" }

    func cli(_ args: [String]) throws -> (Int32, String, String) {
        let r = try spawnAndWait(Self.binary, args)
        return (r.code, r.out, r.err)
    }

    @Test("create, state, start, kill, state, delete and list through the binary")
    func lifecycle() throws {
        let box = try Sandbox("cli")
        defer { box.cleanUp() }
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build the package first")
        let root = box.runtime.root
        var spec = box.spec(["sleep", "1000"])
        spec.linux?.cgroupsPath = box.cgroupParent + "/cli1"
        let b = try box.bundle(spec, id: "cli1")
        let pidFile = box.dir + "/cli1.pid"

        var r = try cli(["runtime", "--root", root, "create", "--bundle", b, "--pid-file", pidFile, "cli1"])
        #expect(r.0 == 0, "\(r.2)")
        let state = try JSONDecoder().decode(ContainerState.self, from: Data(try cli(["runtime", "--root", root, "state", "cli1"]).1.utf8))
        #expect(state.status == .created && state.id == "cli1" && state.bundle == b)
        #expect(try String(contentsOfFile: pidFile, encoding: .utf8) == "\(state.pid)")
        #expect(try cli(["runtime", "--root", root, "start", "cli1"]).0 == 0)
        #expect(try cli(["runtime", "--root", root, "list"]).1.contains("running"))
        r = try cli(["runtime", "--root", root, "delete", "cli1"])
        #expect(r.0 == 1 && r.2.contains("container is running"), "\(r.2)")
        let exec = try cli(["runtime", "--root", root, "exec", "--env", "X=1", "cli1", "sh", "-c", "echo $X $(hostname); exit 3"])
        #expect(exec.0 == 3 && exec.1 == "1 sandbox\n", "\(exec)")
        #expect(try cli(["runtime", "--root", root, "kill", "cli1", "KILL"]).0 == 0)
        var stopped = false
        for _ in 0..<200 where !stopped {
            stopped = try cli(["runtime", "--root", root, "state", "cli1"]).1.contains("\"stopped\"")
            if !stopped { usleep(10_000) }
        }
        #expect(stopped)
        #expect(try cli(["runtime", "--root", root, "delete", "cli1"]).0 == 0)
        r = try cli(["runtime", "--root", root, "state", "cli1"])
        #expect(r.0 == 1 && r.2 == "swiftlet: container \"cli1\" does not exist\n", "\(r.2)")
    }

    @Test("run exits with the container's status; errors go to stderr with a non-zero exit")
    func runAndErrors() throws {
        let box = try Sandbox("cli")
        defer { box.cleanUp() }
        var spec = box.spec(["sh", "-c", "echo out; exit 5"])
        spec.linux?.cgroupsPath = box.cgroupParent + "/run1"
        let b = try box.bundle(spec, id: "run1")
        let r = try cli(["runtime", "--root", box.runtime.root, "run", "--bundle", b, "run1"])
        #expect(r.0 == 5 && r.1 == "out\n", "\(r)")

        var bad = box.spec(["/bin/nope"])
        bad.linux?.cgroupsPath = box.cgroupParent + "/bad"
        let e = try cli(["runtime", "--root", box.runtime.root, "run", "--bundle", try box.bundle(bad, id: "bad"), "bad"])
        #expect(e.0 == 1 && e.2 == "swiftlet: create container bad: exec \"/bin/nope\": no such file or directory\n", "\(e)")
        #expect(try cli(["runtime", "--root", box.runtime.root, "kill", "x", "NOSIG"]).0 != 0)
        #expect(try cli(["runtime", "features"]).1.contains("\"mode\""))
    }

    @Test("runc's flag spellings and placements work; help and malformed input go to the full parser")
    func flagForms() throws {
        let box = try Sandbox("cli")
        defer { box.cleanUp() }
        let root = box.runtime.root
        var spec = box.spec(["sleep", "1000"])
        spec.linux?.cgroupsPath = box.cgroupParent + "/forms"
        let b = try box.bundle(spec, id: "forms")
        #expect(try cli(["runtime", "create", "--root", root, "-b", b, "forms"]).0 == 0)
        #expect(try cli(["runtime", "start", "--root", root, "forms"]).0 == 0)
        #expect(try cli(["runtime", "--root", root, "kill", "-a", "forms", "9"]).0 == 0)
        #expect(try cli(["runtime", "--root", root, "delete", "-f", "forms"]).0 == 0)
        #expect(try cli(["runtime", "--root", root, "state", "forms"]).0 == 1)

        let help = try cli(["runtime", "create", "--help"])
        #expect(help.0 == 0 && help.1.contains("--pid-file"), "\(help)")
        let unknown = try cli(["runtime", "--root", root, "state", "--bogus", "x"])
        #expect(unknown.0 == 64 && unknown.2.contains("Unknown option '--bogus'"), "\(unknown)")
        let missing = try cli(["runtime", "--root", root, "start"])
        #expect(missing.0 == 64 && missing.2.contains("Missing expected argument"), "\(missing)")
    }

    @Test("run forwards SIGINT and SIGTERM to the container's init")
    func runForwardsSignals() throws {
        let box = try Sandbox("cli")
        defer { box.cleanUp() }
        var spec = box.spec(["sh", "-c", "trap 'exit 9' INT; trap 'exit 15' TERM; sleep 1000 & wait"])
        spec.linux?.cgroupsPath = box.cgroupParent + "/sig"
        let b = try box.bundle(spec, id: "sig")
        for (signal, expected) in [(SIGINT, Int32(9)), (SIGTERM, Int32(15))] {
            var pid: pid_t = 0
            let words: [String] = [Self.binary, "runtime", "--root", box.runtime.root, "run", "--bundle", b, "sig"]
            let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            try #require(posix_spawn(&pid, Self.binary, nil, nil, argv, environ) == 0)
            // Until the container runs, the signal would hit the CLI itself; wait for its state.
            var running = false
            for _ in 0..<300 where !running {
                running = (try? box.runtime.state(id: "sig").status) == .running
                if !running { usleep(10_000) }
            }
            usleep(100_000)  // the trap is set once sh has read its script
            #expect(running)
            kill(pid, signal)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            #expect((status >> 8) & 0xff == expected, "signal \(signal): status \(status)")
        }
    }
}
