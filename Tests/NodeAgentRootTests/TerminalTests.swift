import Foundation
import Glibc
import Testing
@testable import NodeAgent

/// process.terminal: a pty made inside the container, its master handed over a console socket.
@Suite("Terminals", .serialized)
struct TerminalTests {
    /// Reads the pty master until the container side closes (EIO) or `limit` passes.
    static func readAll(_ master: Int32, limit: Double = 5) -> String {
        var out = [UInt8]()
        let deadline = monotonicSeconds() + limit
        var buf = [UInt8](repeating: 0, count: 4096)
        while monotonicSeconds() < deadline {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 100) <= 0 { continue }
            let n = buf.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test("the container gets a controlling pty of its own size; the master comes over the socket")
    func consoleSocket() throws {
        let box = try Sandbox("tty")
        defer { box.cleanUp() }
        var spec = box.spec(["sh", "-c", "tty; stty size; read line; echo got:$line"])
        spec.process?.terminal = true
        spec.process?.consoleSize = Spec.ConsoleSize(height: 40, width: 120)
        var pair: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]) }
        let created = try box.runtime.create(id: "tty", bundle: try box.bundle(spec, id: "tty"), io: ContainerIO(consoleSocket: pair[1]))
        close(pair[1])
        let master = try ContainerRuntime.receiveTerminal(from: pair[0])
        defer { close(master) }
        try box.runtime.start(id: "tty")
        _ = "hello\n".withCString { write(master, $0, 6) }
        let out = Self.readAll(master)
        #expect(ExitStatus(waitStatus: try created.waitStatus()).code == 0)
        let lines = out.split(separator: "\r\n").map(String.init)
        #expect(lines.contains("/dev/pts/0"), "\(out.debugDescription)")  // the echo of our input may come first
        #expect(lines.contains("40 120"), "\(out.debugDescription)")
        #expect(lines.contains("got:hello"), "\(out.debugDescription)")
        try box.runtime.delete(id: "tty")
    }

    @Test("exec -t: a process exec'd with a terminal gets its own pty in the container")
    func execTerminal() throws {
        let box = try Sandbox("tty")
        defer { box.cleanUp() }
        let b = try box.bundle(box.spec(["sleep", "1000"]), id: "app")
        try box.runtime.create(id: "app", bundle: b)
        try box.runtime.start(id: "app")
        var pair: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]) }
        let process = try box.runtime.exec(id: "app", .init(args: ["sh", "-c", "tty"], terminal: true), io: ContainerIO(consoleSocket: pair[1]))
        close(pair[1])
        let master = try ContainerRuntime.receiveTerminal(from: pair[0])
        defer { close(master) }
        let out = Self.readAll(master)
        #expect(ExitStatus(waitStatus: try process.waitStatus()).code == 0)
        #expect(out.hasPrefix("/dev/pts/"), "\(out.debugDescription)")
        process.waitForMonitorExit()
        try box.runtime.delete(id: "app", force: true)
    }

    @Test("a terminal without a console socket, and a socket without a terminal, are refused before anything exists")
    func mismatches() throws {
        let box = try Sandbox("tty")
        defer { box.cleanUp() }
        var spec = box.spec(["true"])
        spec.process?.terminal = true
        let b = try box.bundle(spec, id: "t1")
        #expect { try box.runtime.create(id: "t1", bundle: b) } throws: {
            "\($0)" == "create container t1: process.terminal is set: a console socket is needed (--console-socket)"
        }
        #expect { try box.runtime.create(id: "t2", bundle: try box.bundle(box.spec(["true"]), id: "t2"), io: ContainerIO(consoleSocket: 0)) } throws: {
            "\($0)".contains("a console socket was given but process.terminal is not set")
        }
        #expect(try box.runtime.list().isEmpty)
    }

    @Test("runtime run relays the terminal to its own stdio when there is no console socket")
    func runRelays() throws {
        let box = try Sandbox("tty")
        defer { box.cleanUp() }
        var spec = box.spec(["sh", "-c", "tty; echo done"])
        spec.process?.terminal = true
        spec.linux?.cgroupsPath = box.cgroupParent + "/relay"
        let b = try box.bundle(spec, id: "relay")
        let r = try spawnAndWait(RuntimeCLITests.runtimeBinary, ["--root", box.runtime.root, "run", "--bundle", b, "relay"])
        #expect(r.code == 0, "\(r)")
        #expect(r.out == "/dev/pts/0\r\ndone\r\n", "\(r.out.debugDescription)")
    }
}
