import Foundation
import Glibc

/// The busybox root filesystem the root tests run, built once per checkout from Debian's
/// busybox-static plus our static `sysprobe`, under .build (ignored by git).
enum Fixture {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let rootfs: String = {
        let dir = packageRoot + "/.build/swiftlet-fixtures/busybox-rootfs"
        let probeSource = packageRoot + "/Tests/Fixtures/sysprobe.c"
        let marker = dir + "/.complete"
        if FileManager.default.fileExists(atPath: marker) {
            // The probe's source changes with the tests: rebuild it when it is newer.
            let attrs = { (p: String) in (try? FileManager.default.attributesOfItem(atPath: p))?[.modificationDate] as? Date }
            if let src = attrs(probeSource), let bin = attrs(dir + "/bin/sysprobe"), src > bin {
                _ = try! shell("/usr/bin/cc", ["-static", "-O1", "-o", dir + "/bin/sysprobe", probeSource])
            }
            return dir
        }
        try? FileManager.default.removeItem(atPath: dir)
        for sub in ["bin", "proc", "sys", "dev", "etc", "tmp", "out"] {
            try! FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        try! FileManager.default.copyItem(atPath: "/bin/busybox", toPath: dir + "/bin/busybox")
        let applets = try! shell("/bin/busybox", ["--list"]).split(separator: "\n")
        for applet in applets where applet != "busybox" {
            try? FileManager.default.createSymbolicLink(atPath: dir + "/bin/" + applet, withDestinationPath: "busybox")
        }
        _ = try! shell("/usr/bin/cc", ["-static", "-O1", "-o", dir + "/bin/sysprobe", probeSource])
        try! "root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n".write(toFile: dir + "/etc/passwd", atomically: true, encoding: .utf8)
        try! "root:x:0:\nnogroup:x:65534:\n".write(toFile: dir + "/etc/group", atomically: true, encoding: .utf8)
        chmod(dir + "/tmp", 0o1777)
        FileManager.default.createFile(atPath: marker, contents: nil)
        return dir
    }()
}

struct ShellError: Error, CustomStringConvertible {
    var description: String
}

/// Runs a program with stdout and stderr captured in files (a child may hand them on to a
/// detached container, so pipes could stay open) and returns its exit code and output.
/// posix_spawn + waitpid: Foundation's Process misses exits in this test process.
func spawnAndWait(_ path: String, _ args: [String]) throws -> (code: Int32, out: String, err: String) {
    let dir = NSTemporaryDirectory() + "swiftlet-spawn-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, dir + "/out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, dir + "/err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv = ([path] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard rc == 0 else { throw ShellError(description: "spawn \(path): errno \(rc)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (code, (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? "")
}

/// Runs a host program and returns its stdout; throws with stderr on a non-zero exit.
@discardableResult
func shell(_ path: String, _ args: [String]) throws -> String {
    let r = try spawnAndWait(path, args)
    guard r.code == 0 else {
        throw ShellError(description: "\(path) \(args.joined(separator: " ")): exit \(r.code): \(r.err)")
    }
    return r.out
}
