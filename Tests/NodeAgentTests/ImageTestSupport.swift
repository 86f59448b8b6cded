import Foundation
import Glibc
@testable import NodeAgent

/// Writes tar archives byte by byte for the image tests: ustar headers, PAX `x` records and
/// GNU `L`/`K` long names, so each test controls exactly what the reader sees.
struct TarBuilder {
    private(set) var bytes: [UInt8] = []

    enum Kind: UInt8 {
        case file = 0x30, hardLink = 0x31, symlink = 0x32, char = 0x33, block = 0x34, dir = 0x35, fifo = 0x36
        case pax = 0x78, gnuLongName = 0x4c, gnuLongLink = 0x4b, sparse = 0x53
    }

    /// Appends one header (and content, padded) with the given fields.
    mutating func entry(_ name: String, _ kind: Kind = .file, content: [UInt8] = [], link: String = "",
                        mode: Int = 0o644, uid: Int = 0, gid: Int = 0, mtime: Int = 1_700_000_000,
                        major: Int = 0, minor: Int = 0, gnu: Bool = false, prefix: String = "",
                        sizeOverride: Int? = nil) {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, _ at: Int, _ len: Int) {
            for (i, b) in s.utf8.prefix(len).enumerated() { h[at + i] = b }
        }
        func octal(_ v: Int, _ at: Int, _ len: Int) {
            put(String(String(v, radix: 8).suffix(len - 1)).leftPad(len - 1), at, len - 1)
        }
        put(name, 0, 100)
        octal(mode, 100, 8); octal(uid, 108, 8); octal(gid, 116, 8)
        octal(sizeOverride ?? content.count, 124, 12); octal(mtime, 136, 12)
        h[156] = kind.rawValue
        put(link, 157, 100)
        if gnu { put("ustar  ", 257, 8) } else { put("ustar", 257, 6); put("00", 263, 2) }
        put("root", 265, 32); put("root", 297, 32)
        octal(major, 329, 8); octal(minor, 337, 8)
        if !gnu { put(prefix, 345, 155) }
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int($1) }
        put(String(String(sum, radix: 8)).leftPad(6), 148, 6)
        h[154] = 0; h[155] = 0x20
        bytes += h
        bytes += content
        bytes += [UInt8](repeating: 0, count: (512 - content.count % 512) % 512)
    }

    mutating func file(_ name: String, _ text: String = "", mode: Int = 0o644, uid: Int = 0, gid: Int = 0, mtime: Int = 1_700_000_000) {
        entry(name, .file, content: Array(text.utf8), mode: mode, uid: uid, gid: gid, mtime: mtime)
    }
    mutating func dir(_ name: String, mode: Int = 0o755, mtime: Int = 1_700_000_000) { entry(name, .dir, mode: mode, mtime: mtime) }
    mutating func symlink(_ name: String, to target: String) { entry(name, .symlink, link: target, mode: 0o777) }
    mutating func hardLink(_ name: String, to target: String) { entry(name, .hardLink, link: target) }

    /// A PAX extended header for the next entry.
    mutating func pax(_ records: [(String, [UInt8])]) {
        var data: [UInt8] = []
        for (k, v) in records {
            let body = Array(" \(k)=".utf8) + v + [0x0a]
            var length = body.count + 1
            while String(length).utf8.count + body.count != length { length = String(length).utf8.count + body.count }
            data += Array(String(length).utf8) + body
        }
        entry("PaxHeaders/x", .pax, content: data)
    }

    mutating func gnuLongName(_ name: String) { entry("././@LongLink", .gnuLongName, content: Array(name.utf8) + [0], gnu: true) }
    mutating func gnuLongLink(_ name: String) { entry("././@LongLink", .gnuLongLink, content: Array(name.utf8) + [0], gnu: true) }

    /// The end-of-archive marker: two zero blocks.
    mutating func end() { bytes += [UInt8](repeating: 0, count: 1024) }

    func finished() -> [UInt8] { var b = self; b.end(); return b.bytes }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

/// A temporary directory removed when the test drops it.
final class ImageTempDir {
    let path: String
    init(_ label: String = "img") {
        path = NSTemporaryDirectory() + "swiftlet-\(label)-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func lstatOf(_ path: String) -> stat? {
    var st = stat()
    return lstat(path, &st) == 0 ? st : nil
}

func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    p.arguments = ["-c", "-n"]
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    let writer = Thread { input.fileHandleForWriting.write(Data(bytes)); try? input.fileHandleForWriting.close() }
    writer.start()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Array(out)
}
