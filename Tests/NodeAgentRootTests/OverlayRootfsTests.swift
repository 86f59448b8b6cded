import Foundation
import Glibc
import Testing
@testable import NodeAgent

/// A container's rootfs as an overlay of image layers with a writable upper of its own.
@Suite("Overlay rootfs", .serialized)
struct OverlayRootfsTests {
    /// A second layer over the busybox fixture: adds /etc/motd and whites out /etc/group.
    static func makeTopLayer(in dir: String) throws -> String {
        let layer = dir + "/layer2"
        try FileManager.default.createDirectory(atPath: layer + "/etc", withIntermediateDirectories: true)
        try "from layer 2\n".write(toFile: layer + "/etc/motd", atomically: true, encoding: .utf8)
        // overlayfs form of an OCI whiteout: a 0/0 character device.
        try #require(mknod(layer + "/etc/group", S_IFCHR | 0o000, 0) == 0)
        return layer
    }

    static func mounted(_ path: String) -> Bool {
        ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").contains(" \(path) ")
    }

    @Test("layers compose, whiteouts hide, writes land in the container's upper, removal leaves nothing")
    func composeRunRemove() throws {
        let box = try Sandbox("ovl")
        defer { box.cleanUp() }
        let rootfs = OverlayRootfs(root: box.dir + "/containers")
        let top = try Self.makeTopLayer(in: box.dir)
        let merged = try rootfs.prepare(id: "c1", layers: [Fixture.rootfs, top])
        defer { try? rootfs.remove(id: "c1") }
        #expect(Self.mounted(merged))
        #expect(FileManager.default.fileExists(atPath: merged + "/bin/busybox"))
        #expect(FileManager.default.fileExists(atPath: merged + "/etc/motd"))
        #expect(!FileManager.default.fileExists(atPath: merged + "/etc/group"))

        var spec = box.spec(["sh", "-c", "cat /etc/motd; ls /etc/group 2>/dev/null || echo no-group; echo written > /newfile"])
        spec.root = Spec.Root(path: merged)
        let (exit, out) = try box.run(spec, id: "c1")
        #expect(exit.code == 0, "\(out)")
        #expect(out == "from layer 2\nno-group\n")
        #expect(try String(contentsOfFile: rootfs.directory("c1") + "/upper/newfile", encoding: .utf8) == "written\n")
        #expect(!FileManager.default.fileExists(atPath: Fixture.rootfs + "/newfile"), "a lower layer was written")

        // A second container of the same image starts from the image, not from c1's writes.
        let merged2 = try rootfs.prepare(id: "c2", layers: [Fixture.rootfs, top])
        #expect(!FileManager.default.fileExists(atPath: merged2 + "/newfile"))
        try rootfs.remove(id: "c2")

        try rootfs.remove(id: "c1")
        #expect(!Self.mounted(merged))
        #expect(!FileManager.default.fileExists(atPath: rootfs.directory("c1")))
        try rootfs.remove(id: "c1")  // idempotent
    }

    @Test("a layer that does not exist fails the mount and leaves nothing")
    func badLayer() throws {
        let box = try Sandbox("ovl")
        defer { box.cleanUp() }
        let rootfs = OverlayRootfs(root: box.dir + "/containers")
        #expect {
            _ = try rootfs.prepare(id: "bad", layers: [box.dir + "/no-such-layer"])
        } throws: { "\($0)".hasPrefix("rootfs for container bad: mount overlay of 1 layer(s): no such file or directory") }
        #expect(!FileManager.default.fileExists(atPath: rootfs.directory("bad")))
        #expect {
            _ = try rootfs.prepare(id: "bad", layers: ["/a:b"])
        } throws: { "\($0)".contains("cannot be an overlay lower directory") }
        #expect(throws: OverlayRootfs.Failure.self) { _ = try rootfs.prepare(id: "../x", layers: [Fixture.rootfs]) }
    }
}
