import Foundation
import Testing
@testable import NodeAgent

@Suite("Hooks", .serialized)
struct HooksTests {
    @Test("every hook runs at its moment with the state on stdin")
    func allHooks() throws {
        let box = try Sandbox("hooks")
        defer { box.cleanUp() }
        let log = box.dir + "/hooks.log"
        let out = box.dir + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: log, contents: nil)
        // Runtime-namespace hooks append "<phase> <state json>" to the log on the host.
        func host(_ phase: String) -> Spec.Hook {
            Spec.Hook(path: "/bin/sh", args: ["sh", "-c", "printf '%s ' \(phase) >> \(log); cat >> \(log); echo >> \(log)"])
        }
        var spec = box.spec(["sh", "-c", "echo program >> /out/order"])
        spec.mounts?.append(Spec.Mount(destination: "/out", type: "bind", source: out, options: ["rbind", "rw"]))
        spec.hooks = Spec.Hooks(
            prestart: [host("prestart")], createRuntime: [host("createRuntime")],
            createContainer: [host("createContainer")],
            // startContainer runs inside the container, after pivot_root: paths are the container's.
            startContainer: [Spec.Hook(path: "/bin/sh", args: ["sh", "-c", "echo startContainer >> /out/order"])],
            poststart: [host("poststart")], poststop: [host("poststop")])
        let b = try box.bundle(spec, id: "h")
        let created = try box.runtime.create(id: "h", bundle: b)
        var text = try String(contentsOfFile: log, encoding: .utf8)
        let phases = { (t: String) in t.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) } }
        #expect(phases(text) == ["prestart", "createRuntime", "createContainer"])
        #expect(text.contains("\"pid\":\(created.pid)"), "\(text)")
        #expect(text.contains("\"id\":\"h\""))

        try box.runtime.start(id: "h")
        _ = try created.waitStatus()
        try box.runtime.delete(id: "h")
        text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(phases(text) == ["prestart", "createRuntime", "createContainer", "poststart", "poststop"])
        #expect(try String(contentsOfFile: out + "/order", encoding: .utf8) == "startContainer\nprogram\n")
    }

    @Test("a failing createRuntime hook fails create and leaves nothing")
    func failingHook() throws {
        let box = try Sandbox("hooks")
        defer { box.cleanUp() }
        var spec = box.spec(["true"])
        spec.hooks = Spec.Hooks(createRuntime: [Spec.Hook(path: "/bin/sh", args: ["sh", "-c", "exit 3"])])
        let b = try box.bundle(spec, id: "fh")
        #expect {
            try box.runtime.create(id: "fh", bundle: b)
        } throws: { error in
            "\(error)".contains("createRuntime hook [0] \"/bin/sh\": exited with status 3")
        }
        #expect(!FileManager.default.fileExists(atPath: box.runtime.root + "/fh"))
        #expect(box.cgroupDirectories().allSatisfy { !$0.hasSuffix("/fh") })
    }
}
