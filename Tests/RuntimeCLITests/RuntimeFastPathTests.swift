import Glibc
import Testing
@testable import NodeAgent
@testable import RuntimeCLI

/// `swiftlet-runtime`'s arguments (after argv[0]) that skip ArgumentParser, and those that must not.
@Suite("Runtime fast path")
struct RuntimeFastPathTests {
    typealias Inv = RuntimeFastPath.Invocation

    @Test func eachVerbWithRuncSpellings() {
        #expect(RuntimeFastPath.parse(["--root", "/r", "create", "--bundle", "/b", "--pid-file", "/p", "c1"])
            == Inv(root: "/r", verb: .create(id: "c1", bundle: "/b", pidFile: "/p", consoleSocket: nil)))
        #expect(RuntimeFastPath.parse(["create", "-b", "/b", "--console-socket", "/s", "c1"])
            == Inv(verb: .create(id: "c1", bundle: "/b", pidFile: nil, consoleSocket: "/s")))
        #expect(RuntimeFastPath.parse(["start", "c1"]) == Inv(verb: .start(id: "c1")))
        #expect(RuntimeFastPath.parse(["--debug", "state", "c1"]) == Inv(debug: true, verb: .state(id: "c1")))
        #expect(RuntimeFastPath.parse(["kill", "c1"]) == Inv(verb: .kill(id: "c1", signal: "TERM", all: false)))
        #expect(RuntimeFastPath.parse(["kill", "-a", "c1", "9"]) == Inv(verb: .kill(id: "c1", signal: "9", all: true)))
        #expect(RuntimeFastPath.parse(["delete", "--force", "c1"]) == Inv(verb: .delete(id: "c1", force: true)))
        #expect(RuntimeFastPath.parse(["run", "--bundle", "/b", "c1"])
            == Inv(verb: .run(id: "c1", bundle: "/b", consoleSocket: nil)))
    }

    @Test("global flags after the verb, as the full parser takes them")
    func globalFlagsAfterVerb() {
        #expect(RuntimeFastPath.parse(["start", "--root", "/r", "c1"]) == Inv(root: "/r", verb: .start(id: "c1")))
        #expect(RuntimeFastPath.parse(["run", "c1", "--root", "/r"])
            == Inv(root: "/r", verb: .run(id: "c1", bundle: ".", consoleSocket: nil)))
    }

    @Test("help, other verbs, unknown or misplaced flags and missing values go to ArgumentParser")
    func leftToArgumentParser() {
        let cases: [[String]] = [
            [], ["--help"], ["create", "--help"], ["-h"], ["features"], ["list"], ["exec", "c1", "sh"],
            ["state", "--bogus", "c1"], ["start"], ["--root"], ["create", "--bundle"],
            ["start", "c1", "extra"], ["kill", "c1", "9", "extra"], ["start", "-b", "/b", "c1"],
            ["state", "--pid-file", "/p", "c1"], ["delete", "-a", "c1"], ["create", "-f", "c1"],
            ["start", "--console-socket", "/s", "c1"], ["run", "--pid-file", "/p", "c1"],
            // `swiftlet runtime` strips its verb before forwarding; it never reaches here.
            ["runtime", "start", "c1"],
        ]
        for args in cases {
            #expect(RuntimeFastPath.parse(args) == nil, "\(args)")
        }
    }

    @Test func defaultRootIsTheRuntimes() {
        #expect(RuntimeFastPath.parse(["state", "c1"])?.root == ContainerRuntime.defaultRoot)
    }
}

@Suite("Runtime forwarder and signal names")
struct RuntimeForwarderTests {
    @Test func siblingOfTheRunningBinary() {
        #expect(RuntimeForwarder.sibling(ofExecutable: "/usr/bin/swiftlet") == "/usr/bin/swiftlet-runtime")
        #expect(RuntimeForwarder.sibling(ofExecutable: "/w/.build/release/swiftlet (deleted)") == "/w/.build/release/swiftlet-runtime")
        #expect(RuntimeForwarder.sibling(ofExecutable: "/swiftlet") == "/swiftlet-runtime")
        #expect(RuntimeForwarder.sibling(ofExecutable: "swiftlet") == "swiftlet-runtime")
    }

    @Test func failureNamesThePathAndTheReason() {
        let m = RuntimeForwarder.failureMessage(path: "/opt/swiftlet-runtime", errno: ENOENT)
        #expect(m.hasPrefix("swiftlet: runtime: cannot run /opt/swiftlet-runtime: No such file or directory ("), "\(m)")
        #expect(m.hasSuffix("\n"))
    }

    @Test func signalNames() {
        #expect(signalNumber("TERM") == SIGTERM && signalNumber("sigkill") == SIGKILL && signalNumber("SIGINT") == SIGINT)
        #expect(signalNumber("9") == 9 && signalNumber("64") == 64)
        #expect(signalNumber("0") == nil && signalNumber("65") == nil && signalNumber("NOSIG") == nil && signalNumber("") == nil)
    }
}
