import Foundation
import Glibc
import Logging
@testable import NodeAgent

/// One test's world: a runtime state root, bundles and a cgroup parent of its own. `close()`
/// deletes every container it still knows, every cgroup directory under its parent (in every
/// hierarchy) and its temp directories, so a test leaves nothing behind, pass or fail.
final class Sandbox {
    let name: String
    let dir: String
    let runtime: ContainerRuntime
    let cgroupParent: String
    private(set) var closed = false

    /// With `layout`, the runtime uses that cgroup layout instead of detecting the host's (e.g.
    /// pure v2 on this hybrid host's unified hierarchy).
    init(_ label: String = "t", layout: CgroupLayout? = nil) throws {
        name = "swiftlet-test-\(label)-\(UInt32.random(in: 0...UInt32.max))"
        dir = NSTemporaryDirectory() + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        cgroupParent = "/" + name
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        runtime = try ContainerRuntime(root: dir + "/state", cgroupLayout: layout, defaultCgroupParent: cgroupParent, logger: logger)
    }

    deinit { cleanUp() }

    /// A spec like the agent's default, with our cgroup parent and the fixture rootfs.
    func spec(_ args: [String], hostname: String? = "sandbox") -> Spec {
        Spec.defaultLinux(args: args, rootfs: Fixture.rootfs, hostname: hostname)
    }

    /// Writes a bundle (config.json only; the rootfs is shared) and returns its directory.
    func bundle(_ spec: Spec, id: String) throws -> String {
        let b = dir + "/bundles/" + id
        try FileManager.default.createDirectory(atPath: b, withIntermediateDirectories: true)
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: b + "/config.json"))
        return b
    }

    /// Runs a container to completion and returns its exit and output (stdout and stderr merged).
    func run(_ spec: Spec, id: String = "c\(UInt16.random(in: 0...UInt16.max))") throws -> (ExitStatus, String) {
        let b = try bundle(spec, id: id)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ShellError(description: "pipe") }
        let io = ContainerIO(stdin: -1, stdout: fds[1], stderr: fds[1])
        let exit: ExitStatus
        do {
            exit = try runtime.run(id: id, bundle: b, io: io)
        } catch {
            Glibc.close(fds[0]); Glibc.close(fds[1])
            throw error
        }
        Glibc.close(fds[1])
        let output = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        return (exit, String(decoding: output, as: UTF8.self))
    }

    /// Every cgroup directory that exists under this sandbox's parent, in any hierarchy.
    func cgroupDirectories() -> [String] {
        runtime.cgroupLayout.allMountPoints.flatMap { mp -> [String] in
            let top = mp + cgroupParent
            guard FileManager.default.fileExists(atPath: top) else { return [] }
            let subs = (try? FileManager.default.subpathsOfDirectory(atPath: top)) ?? []
            return [top] + subs.map { top + "/" + $0 }.filter { isDirectory($0) }
        }
    }

    func cleanUp() {
        if closed { return }
        closed = true
        for c in (try? runtime.list()) ?? [] { try? runtime.delete(id: c.id, force: true) }
        // Deepest first, so parents are empty when their turn comes.
        for d in cgroupDirectories().sorted(by: { $0.count > $1.count }) {
            if let procs = try? String(contentsOfFile: d + "/cgroup.procs", encoding: .utf8) {
                for pid in procs.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            }
            for _ in 0..<200 where rmdir(d) != 0 && errno == EBUSY { usleep(10_000) }
        }
        try? FileManager.default.removeItem(atPath: dir)
    }
}

func isDirectory(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
}

extension CgroupLayout {
    /// Every hierarchy's mount point: v1 ones and the unified one.
    var allMountPoints: [String] {
        v1.map(\.mountPoint) + (unifiedMount.map { [$0] } ?? [])
    }
}
