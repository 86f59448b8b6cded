import Foundation
import Testing
@testable import NodeAgent

/// The runc-compatible command line, driven as an operator or a higher-level tool would: mostly
/// the small `swiftlet-runtime` binary, which agents exec, and `swiftlet runtime`, which forwards to it.
@Suite("Runtime CLI", .serialized)
struct RuntimeCLITests {
    static var runtimeBinary: String { Fixture.packageRoot + "/.build/debug/swiftlet-runtime" }
    static var swiftletBinary: String { Fixture.packageRoot + "/.build/debug/swiftlet" }

    /// `swiftlet-runtime ARGS...`
    func cli(_ args: [String]) throws -> (Int32, String, String) {
        let r = try spawnAndWait(Self.runtimeBinary, args)
        return (r.code, r.out, r.err)
    }

    /// `swiftlet runtime ARGS...`, through the forwarder.
    func forwarded(_ args: [String]) throws -> (Int32, String, String) {
        let r = try spawnAndWait(Self.swiftletBinary, ["runtime"] + args)
        return (r.code, r.out, r.err)
    }

    @Test("create, state, start, kill, state, delete and list through the binary")
    func lifecycle() throws {
        let box = try Sandbox("cli")
        defer { box.cleanUp() }
        #expect(FileManager.default.isExecutableFile(atPath: Self.runtimeBinary), "build the package first")
        let root = box.runtime.root
        var spec = box.spec(["sleep", "1000"])
        spec.linux?.cgroupsPath = box.cgroupParent + "/cli1"
        let b = try box.bundle(spec, id: "cli1")
        let pidFile = box.dir + "/cli1.pid"

        var r = try cli(["--root", root, "create", "--bundle", b, "--pid-file", pidFile, "cli1"])
        #expect(r.0 == 0, "\(r.2)")
        let state = try JSONDecoder().decode(ContainerState.self, from: Data(try cli(["--root", root, "state", "cli1"]).1.utf8))
        #expect(state.status == .created && state.id == "cli1" && state.bundle == b)
        #expect(try String(contentsOfFile: pidFile, encoding: .utf8) == "\(state.pid)")
        #expect(try cli(["--root", root, "start", "cli1"]).0 == 0)
        #expect(try cli(["--root", root, "list"]).1.contains("running"))
        r = try cli(["--root", root, "delete", "cli1"])
        #expect(r.0 == 1 && r.2.contains("container is running"), "\(r.2)")
        let exec = try cli(["--root", root, "exec", "--env", "X=1", "cli1", "sh", "-c", "echo $X $(hostname); exit 3"])
        #expect(exec.0 == 3 && exec.1 == "1 sandbox\n", "\(exec)")
        #expect(try cli(["--root", root, "kill", "cli1", "KILL"]).0 == 0)
        var stopped = false
        for _ in 0..<200 where !stopped {
            stopped = try cli(["--root", root, "state", "cli1"]).1.contains("\"stopped\"")
            if !stopped { usleep(10_000) }
        }
        #expect(stopped)
        #expect(try cli(["--root", root, "delete", "cli1"]).0 == 0)
        r = try cli(["--root", root, "state", "cli1"])
        #expect(r.0 == 1 && r.2 == "swiftlet: container \"cli1\" does not exist\n", "\(r.2)")
    }

    @Test("run exits with the container's status; errors go to stderr with a non-zero exit")
    func runAndErrors() throws {
        let box = try Sandbox("cli")
        defer { box.cleanUp() }
        var spec = box.spec(["sh", "-c", "echo out; exit 5"])
        spec.linux?.cgroupsPath = box.cgroupParent + "/run1"
        let b = try box.bundle(spec, id: "run1")
        let r = try cli(["--root", box.runtime.root, "run", "--bundle", b, "run1"])
        #expect(r.0 == 5 && r.1 == "out\n", "\(r)")

        var bad = box.spec(["/bin/nope"])
        bad.linux?.cgroupsPath = box.cgroupParent + "/bad"
        let e = try cli(["--root", box.runtime.root, "run", "--bundle", try box.bundle(bad, id: "bad"), "bad"])
        #expect(e.0 == 1 && e.2 == "swiftlet: create container bad: exec \"/bin/nope\": no such file or directory\n", "\(e)")
        #expect(try cli(["--root", box.runtime.root, "kill", "x", "NOSIG"]).0 != 0)
        #expect(try cli(["features"]).1.contains("\"mode\""))
    }

    @Test("runc's flag spellings and placements work; help and malformed input go to the full parser")
    func flagForms() throws {
        let box = try Sandbox("cli")
        defer { box.cleanUp() }
        let root = box.runtime.root
        var spec = box.spec(["sleep", "1000"])
        spec.linux?.cgroupsPath = box.cgroupParent + "/forms"
        let b = try box.bundle(spec, id: "forms")
        #expect(try cli(["create", "--root", root, "-b", b, "forms"]).0 == 0)
        #expect(try cli(["start", "--root", root, "forms"]).0 == 0)
        #expect(try cli(["--root", root, "kill", "-a", "forms", "9"]).0 == 0)
        #expect(try cli(["--root", root, "delete", "-f", "forms"]).0 == 0)
        #expect(try cli(["--root", root, "state", "forms"]).0 == 1)

        let help = try cli(["create", "--help"])
        #expect(help.0 == 0 && help.1.contains("--pid-file"), "\(help)")
        let unknown = try cli(["--root", root, "state", "--bogus", "x"])
        #expect(unknown.0 == 64 && unknown.2.contains("Unknown option '--bogus'"), "\(unknown)")
        let missing = try cli(["--root", root, "start"])
        #expect(missing.0 == 64 && missing.2.contains("Missing expected argument"), "\(missing)")
    }

    @Test("run forwards SIGINT and SIGTERM to the container's init, also when started as `swiftlet runtime`")
    func runForwardsSignals() throws {
        let box = try Sandbox("cli")
        defer { box.cleanUp() }
        var spec = box.spec(["sh", "-c", "trap 'exit 9' INT; trap 'exit 15' TERM; sleep 1000 & wait"])
        spec.linux?.cgroupsPath = box.cgroupParent + "/sig"
        let b = try box.bundle(spec, id: "sig")
        let args = ["--root", box.runtime.root, "run", "--bundle", b, "sig"]
        let ways = [(SIGINT, Int32(9), Self.runtimeBinary, args), (SIGTERM, Int32(15), Self.swiftletBinary, ["runtime"] + args)]
        for (signal, expected, binary, args) in ways {
            var pid: pid_t = 0
            let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + args).map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            try #require(posix_spawn(&pid, binary, nil, nil, argv, environ) == 0)
            // Until the container runs, the signal would hit the CLI itself; wait for its state.
            var running = false
            for _ in 0..<300 where !running {
                running = (try? box.runtime.state(id: "sig").status) == .running
                if !running { usleep(10_000) }
            }
            usleep(100_000)  // the trap is set once sh has read its script
            #expect(running)
            // `swiftlet runtime` replaced itself (same pid) with the small binary.
            #expect(executable(of: pid) == resolved(Self.runtimeBinary), "started as \(binary)")
            kill(pid, signal)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            #expect((status >> 8) & 0xff == expected, "signal \(signal): status \(status)")
        }
    }

    @Test("`swiftlet runtime` runs the small binary: its output, exit codes, help, and the container's monitor")
    func forwardedToTheRuntimeBinary() throws {
        let box = try Sandbox("cli")
        defer { box.cleanUp() }
        let root = box.runtime.root
        var spec = box.spec(["sh", "-c", "echo fwd; exit 4"])
        spec.linux?.cgroupsPath = box.cgroupParent + "/fwd"
        let r = try forwarded(["--root", root, "run", "--bundle", try box.bundle(spec, id: "fwd"), "fwd"])
        #expect(r.0 == 4 && r.1 == "fwd\n", "\(r)")

        var sleeper = box.spec(["sleep", "1000"])
        sleeper.linux?.cgroupsPath = box.cgroupParent + "/mon"
        let c = try forwarded(["create", "--root", root, "--bundle", try box.bundle(sleeper, id: "mon"), "mon"])
        #expect(c.0 == 0, "\(c.2)")
        // The monitor that stays with the container is a fork of the binary that created it:
        // the small one, even when the user typed `swiftlet runtime`.
        let initPid = try box.runtime.state(id: "mon").pid
        let monitor = parentPid(of: initPid)
        #expect(monitor.flatMap { executable(of: $0) } == resolved(Self.runtimeBinary), "monitor \(String(describing: monitor))")
        #expect(try forwarded(["--root", root, "delete", "--force", "mon"]).0 == 0)
        let gone = try forwarded(["--root", root, "state", "mon"])
        #expect(gone.0 == 1 && gone.2 == "swiftlet: container \"mon\" does not exist\n", "\(gone)")

        let help = try forwarded(["create", "--help"])
        #expect(help.0 == 0 && help.1.contains("--pid-file") && help.1.contains("swiftlet-runtime create"), "\(help)")
        let unknown = try forwarded(["--root", root, "state", "--bogus", "x"])
        #expect(unknown.0 == 64 && unknown.2.contains("Unknown option '--bogus'"), "\(unknown)")
        let top = try spawnAndWait(Self.swiftletBinary, ["--help"])
        #expect(top.code == 0 && top.out.contains("runtime") && top.out.contains("runc-compatible"), "\(top)")
    }

    @Test("`swiftlet runtime` without swiftlet-runtime beside it says what is missing")
    func forwarderWithoutSibling() throws {
        // A hard link (not a symlink, which /proc/self/exe would resolve) of swiftlet in a
        // directory of its own, on the same file system as the build.
        let dir = Fixture.packageRoot + "/.build/swiftlet-lonely-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #require(link(resolved(Self.swiftletBinary), dir + "/swiftlet") == 0, "link: errno \(errno)")
        let r = try spawnAndWait(dir + "/swiftlet", ["runtime", "state", "x"])
        #expect(r.code == 127 && r.err.hasPrefix("swiftlet: runtime: cannot run \(dir)/swiftlet-runtime: No such file or directory"), "\(r)")
    }

    @Test("swiftlet-runtime links the node agent only: none of KubeAPI or the control plane's modules")
    func runtimeBinaryStaysSmall() throws {
        // Every module linked in is loaded (and its Swift metadata registered) by each container
        // start. Module names appear mangled ("<length><name>") in symbols and type metadata.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Self.runtimeBinary))
        #expect(bytes.range(of: Data("9NodeAgent".utf8)) != nil, "the check would see a linked module")
        for module in ["KubeAPI", "NIOCore", "NIOSSL", "GRPCCore", "SwiftProtobuf", "X509", "EtcdAPI", "APIServer", "ControlPlane", "KubeClient"] {
            #expect(bytes.range(of: Data("\(module.utf8.count)\(module)".utf8)) == nil, "swiftlet-runtime links \(module)")
        }
    }

    private func executable(of pid: pid_t) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
    }

    /// .build/debug is a symlink; /proc/PID/exe names the real file.
    private func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }

    private func parentPid(of pid: Int32) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }
}
