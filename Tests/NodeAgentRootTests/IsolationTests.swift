import Foundation
import Testing
@testable import NodeAgent

@Suite("Isolation", .serialized)
struct IsolationTests {
    @Test("init is PID 1 in its own pid namespace and sees no host process")
    func pidNamespace() throws {
        let box = try Sandbox("iso")
        defer { box.cleanUp() }
        let (exit, out) = try box.run(box.spec(["sh", "-c", "echo pid=$$; ls /proc | grep -c '^[0-9]'"]))
        #expect(exit.code == 0, "\(out)")
        let lines = out.split(separator: "\n")
        #expect(lines.first == "pid=1")
        // sh, ls and grep at most: nothing of the host's hundreds of processes.
        let visible = Int(lines.last ?? "") ?? 999
        #expect(visible <= 3, "saw \(visible) processes: \(out)")
    }

    @Test("the container has its own hostname and mount table")
    func utsAndMounts() throws {
        let box = try Sandbox("iso")
        defer { box.cleanUp() }
        let hostHostname = try shell("/bin/hostname", []).trimmingCharacters(in: .whitespacesAndNewlines)
        let (exit, out) = try box.run(box.spec(["sh", "-c", "hostname; cat /proc/self/mountinfo"], hostname: "web-1"))
        #expect(exit.code == 0, "\(out)")
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.first == "web-1")
        #expect(lines.first != hostHostname)
        let mountinfo = lines.dropFirst()
        // The root is the fixture rootfs; none of the host's own mounts (like /work) are visible.
        #expect(mountinfo.contains { $0.split(separator: " ")[4] == "/" })
        #expect(!mountinfo.contains { $0.split(separator: " ")[4].hasPrefix("/work") })
        #expect(mountinfo.contains { $0.contains(" /proc ") && $0.contains(" - proc ") })
        #expect(mountinfo.contains { $0.contains(" /dev/pts ") && $0.contains(" - devpts ") })
    }

    @Test("the network namespace is new: only a loopback interface")
    func networkNamespace() throws {
        let box = try Sandbox("iso")
        defer { box.cleanUp() }
        let (exit, out) = try box.run(box.spec(["sh", "-c", "ls /sys/class/net"]))
        #expect(exit.code == 0, "\(out)")
        #expect(out.split(separator: "\n") == ["lo"])
    }
}
