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
        if FileManager.default.fileExists(atPath: marker) { return dir }
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

/// Runs a host program and returns its stdout; throws with stderr on a non-zero exit.
@discardableResult
func shell(_ path: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        throw ShellError(description: "\(path) \(args.joined(separator: " ")): exit \(p.terminationStatus): \(String(decoding: errData, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}
