import Foundation
import Testing
@testable import NodeAgent

/// Each broken bundle fails with a clear error, and leaves no state directory, cgroup or
/// process behind.
@Suite("Bad input", .serialized)
struct BadInputTests {
    private func expectNothingLeft(_ box: Sandbox, _ id: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!FileManager.default.fileExists(atPath: box.runtime.root + "/" + id), sourceLocation: sourceLocation)
        #expect(box.cgroupDirectories().allSatisfy { !$0.hasSuffix("/" + id) }, "\(box.cgroupDirectories())", sourceLocation: sourceLocation)
        #expect((try? box.runtime.list())?.isEmpty ?? true, sourceLocation: sourceLocation)
    }

    private func createError(_ box: Sandbox, bundle: String, id: String) -> String {
        do {
            try box.runtime.create(id: id, bundle: bundle)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test("malformed config.json")
    func malformedJSON() throws {
        let box = try Sandbox("bad")
        defer { box.cleanUp() }
        let b = box.dir + "/bundles/broken"
        try FileManager.default.createDirectory(atPath: b, withIntermediateDirectories: true)
        try Data("{\"ociVersion\": \"1.2.0\", \"process\": {".utf8).write(to: URL(fileURLWithPath: b + "/config.json"))
        let message = createError(box, bundle: b, id: "broken")
        #expect(message.contains("create container broken: invalid bundle: config.json: malformed JSON"), "\(message)")
        expectNothingLeft(box, "broken")

        try Data("{\"ociVersion\": \"1.2.0\", \"process\": {\"cwd\": 5}}".utf8).write(to: URL(fileURLWithPath: b + "/config.json"))
        let typed = createError(box, bundle: b, id: "broken")
        #expect(typed.contains("process"), "\(typed)")
        expectNothingLeft(box, "broken")
    }

    @Test("missing rootfs")
    func missingRootfs() throws {
        let box = try Sandbox("bad")
        defer { box.cleanUp() }
        var spec = box.spec(["true"])
        spec.root = Spec.Root(path: "/nonexistent/rootfs")
        let message = createError(box, bundle: try box.bundle(spec, id: "noroot"), id: "noroot")
        #expect(message.contains("root.path: rootfs \"/nonexistent/rootfs\" does not exist"), "\(message)")
        expectNothingLeft(box, "noroot")
    }

    @Test("unknown namespace type")
    func unknownNamespace() throws {
        let box = try Sandbox("bad")
        defer { box.cleanUp() }
        var spec = box.spec(["true"])
        spec.linux?.namespaces?.append(Spec.Namespace(type: "quantum"))
        let message = createError(box, bundle: try box.bundle(spec, id: "ns"), id: "ns")
        #expect(message.contains("linux.namespaces[6].type: unknown namespace type \"quantum\""), "\(message)")
        expectNothingLeft(box, "ns")
    }

    @Test("an exec path that does not exist")
    func missingProgram() throws {
        let box = try Sandbox("bad")
        defer { box.cleanUp() }
        let message = createError(box, bundle: try box.bundle(box.spec(["/bin/nope"]), id: "nope"), id: "nope")
        #expect(message == "create container nope: exec \"/bin/nope\": no such file or directory", "\(message)")
        expectNothingLeft(box, "nope")

        let inPath = createError(box, bundle: try box.bundle(box.spec(["nope"]), id: "nope2"), id: "nope2")
        #expect(inPath.contains("exec \"nope\": not found in PATH"), "\(inPath)")
        expectNothingLeft(box, "nope2")
    }

    @Test("a seccomp syscall name that does not exist")
    func unknownSyscall() throws {
        let box = try Sandbox("bad")
        defer { box.cleanUp() }
        var spec = box.spec(["true"])
        spec.linux?.seccomp = LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            LinuxSyscall(names: ["getpid", "no_such_syscall"], action: "SCMP_ACT_ERRNO"),
        ])
        let message = createError(box, bundle: try box.bundle(spec, id: "sc"), id: "sc")
        #expect(message.contains("linux.seccomp.syscalls[0].names[1]: unknown syscall \"no_such_syscall\""), "\(message)")
        expectNothingLeft(box, "sc")
    }

    @Test("a duplicate container id")
    func duplicateID() throws {
        let box = try Sandbox("bad")
        defer { box.cleanUp() }
        let b = try box.bundle(box.spec(["sleep", "100"]), id: "dup")
        try box.runtime.create(id: "dup", bundle: b)
        let message = createError(box, bundle: b, id: "dup")
        #expect(message == "create container dup: container with id \"dup\" already exists", "\(message)")
        // The first container is untouched.
        #expect(try box.runtime.state(id: "dup").status == .created)
        try box.runtime.delete(id: "dup", force: true)
        expectNothingLeft(box, "dup")
    }

    @Test("an invalid id, a bad mount destination and a setup failure in init")
    func otherFailures() throws {
        let box = try Sandbox("bad")
        defer { box.cleanUp() }
        #expect(createError(box, bundle: box.dir, id: "../escape").contains("invalid container id"))

        var relative = box.spec(["true"])
        relative.mounts?.append(Spec.Mount(destination: "relative/path", type: "tmpfs", source: "tmpfs"))
        let m = createError(box, bundle: try box.bundle(relative, id: "mnt"), id: "mnt")
        #expect(m.contains("mounts[7].destination: must be an absolute path"), "\(m)")
        expectNothingLeft(box, "mnt")

        // A failure only the kernel can report: a mount of a filesystem type that does not exist.
        var badType = box.spec(["true"])
        badType.mounts?.append(Spec.Mount(destination: "/data", type: "nosuchfs", source: "none"))
        let k = createError(box, bundle: try box.bundle(badType, id: "kern"), id: "kern")
        #expect(k == "create container kern: mount nosuchfs on \"/data\": no such device", "\(k)")
        expectNothingLeft(box, "kern")
    }
}
