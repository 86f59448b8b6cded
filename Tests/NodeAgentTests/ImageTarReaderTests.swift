import Foundation
import Testing
@testable import NodeAgent

@Suite("Image tar reader")
struct ImageTarReaderTests {
    /// Every entry, with file contents.
    static func read(_ bytes: [UInt8]) throws -> [(TarEntry, [UInt8])] {
        let r = TarReader(BufferSource(bytes))
        return try entries(r)
    }

    static func entries(_ r: TarReader) throws -> [(TarEntry, [UInt8])] {
        var out: [(TarEntry, [UInt8])] = []
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: 700, alignment: 8)
        defer { buf.deallocate() }
        while let e = try r.next() {
            var content: [UInt8] = []
            while true {
                let n = try r.readContent(into: buf)
                if n == 0 { break }
                content += buf[0..<n]
            }
            out.append((e, content))
        }
        return out
    }

    @Test func ustarEntries() throws {
        var t = TarBuilder()
        t.dir("etc/", mode: 0o755, mtime: 123)
        t.file("etc/hosts", String(repeating: "x", count: 1500), mode: 0o4755, uid: 1000, gid: 100, mtime: 456)
        t.symlink("etc/link", to: "/etc/hosts")
        t.hardLink("etc/hard", to: "etc/hosts")
        t.entry("dev/null", .char, mode: 0o666, major: 1, minor: 3)
        t.entry("dev/sda", .block, mode: 0o660, major: 8, minor: 0)
        t.entry("run/fifo", .fifo, mode: 0o600)
        t.entry("oldstyle/", .file)  // V7: a directory by its trailing slash
        let got = try Self.read(t.finished())
        #expect(got.map(\.0.path) == ["etc/", "etc/hosts", "etc/link", "etc/hard", "dev/null", "dev/sda", "run/fifo", "oldstyle/"])
        #expect(got.map(\.0.kind) == [.directory, .file, .symlink, .hardLink, .characterDevice, .blockDevice, .fifo, .directory])
        let hosts = got[1].0
        #expect(hosts.mode == 0o4755 && hosts.uid == 1000 && hosts.gid == 100 && hosts.mtimeSeconds == 456 && hosts.size == 1500)
        #expect(got[1].1 == Array(String(repeating: "x", count: 1500).utf8))
        #expect(got[0].0.mtimeSeconds == 123)
        #expect(got[2].0.linkTarget == "/etc/hosts")
        #expect(got[3].0.linkTarget == "etc/hosts")
        #expect(got[4].0.deviceMajor == 1 && got[4].0.deviceMinor == 3)
        #expect(got[5].0.deviceMajor == 8 && got[5].0.deviceMinor == 0)
    }

    @Test func ustarPrefixJoinsTheName() throws {
        var t = TarBuilder()
        t.entry("file.txt", prefix: "a/very/long/prefix")
        #expect(try Self.read(t.finished()).first?.0.path == "a/very/long/prefix/file.txt")
        // GNU headers use that area for other things: no prefix there.
        var g = TarBuilder()
        g.entry("file.txt", gnu: true)
        #expect(try Self.read(g.finished()).first?.0.path == "file.txt")
    }

    @Test func paxRecords() throws {
        let long = String(repeating: "d/", count: 80) + "file-with-a-long-name"
        let longLink = String(repeating: "l", count: 200)
        var t = TarBuilder()
        t.pax([("path", Array(long.utf8)), ("mtime", Array("1700000000.25".utf8)), ("uid", Array("70000".utf8)),
               ("SCHILY.xattr.user.note", [0, 1, 2, 0xff]), ("SCHILY.xattr.security.capability", Array("cap".utf8))])
        t.file("short-name", "hi")
        t.pax([("linkpath", Array(longLink.utf8))])
        t.symlink("s", to: "ignored")
        t.file("plain", "p")  // the PAX records applied to the one entry only
        let got = try Self.read(t.finished())
        #expect(got.count == 3)
        #expect(got[0].0.path == long)
        #expect(got[0].0.mtimeSeconds == 1_700_000_000 && got[0].0.mtimeNanoseconds == 250_000_000)
        #expect(got[0].0.uid == 70000)
        #expect(got[0].0.xattrs == ["user.note": [0, 1, 2, 0xff], "security.capability": Array("cap".utf8)])
        #expect(got[0].1 == Array("hi".utf8))
        #expect(got[1].0.linkTarget == longLink)
        #expect(got[2].0.path == "plain" && got[2].0.xattrs.isEmpty && got[2].0.uid == 0)
    }

    @Test func paxSizeOverridesTheHeader() throws {
        var t = TarBuilder()
        t.pax([("size", Array("5".utf8))])
        t.entry("f", content: Array("hello".utf8), sizeOverride: 0)
        t.file("g", "x")
        let got = try Self.read(t.finished())
        #expect(got.map(\.0.path) == ["f", "g"])
        #expect(got[0].1 == Array("hello".utf8))
    }

    @Test func headerOnlyTypesIgnoreTheirSizeField() throws {
        var t = TarBuilder()
        t.entry("link", .symlink, link: "x", sizeOverride: 100)
        t.entry("d/", .dir, sizeOverride: 4096)
        t.entry("h", .hardLink, link: "f", sizeOverride: 3)
        t.file("f", "content")
        let got = try Self.read(t.finished())
        #expect(got.map(\.0.path) == ["link", "d/", "h", "f"])
        #expect(got.map(\.0.size) == [0, 0, 0, 7])
        #expect(got[3].1 == Array("content".utf8))
    }

    @Test func gnuLongNames() throws {
        let long = String(repeating: "n", count: 300)
        var t = TarBuilder()
        t.gnuLongName(long)
        t.gnuLongLink(long + "-target")
        t.entry("trunc", .symlink, link: "trunc", gnu: true)
        t.file("after")
        let got = try Self.read(t.finished())
        #expect(got[0].0.path == long && got[0].0.linkTarget == long + "-target")
        #expect(got[1].0.path == "after")
    }

    @Test func base256Numbers() throws {
        var t = TarBuilder()
        t.file("f", "x")
        var bytes = t.finished()
        // uid field as GNU base-256: 0x80 then big-endian 2^31.
        var uid = [UInt8](repeating: 0, count: 8); uid[0] = 0x80; uid[4] = 0x80
        bytes.replaceSubrange(108..<116, with: uid)
        var sum = 0
        for i in 0..<512 { sum += (148..<156).contains(i) ? 0x20 : Int(bytes[i]) }
        bytes.replaceSubrange(148..<155, with: Array(String(String(sum, radix: 8)).leftPad(6).utf8) + [0])
        #expect(try Self.read(bytes)[0].0.uid == 1 << 31)
    }

    @Test func malformedArchives() throws {
        var t = TarBuilder()
        t.file("f", String(repeating: "z", count: 2000))
        let good = t.finished()

        var badSum = good; badSum[0] ^= 1
        #expect(throws: LayerError.malformedArchive("bad header checksum in entry #1 (not a tar archive?)")) { try Self.read(badSum) }
        #expect(throws: LayerError.malformedArchive("archive truncated inside an entry's content")) { try Self.read(Array(good[..<1000])) }
        #expect(throws: LayerError.malformedArchive("archive truncated inside a header")) { try Self.read(Array(good[..<100])) }
        #expect(throws: LayerError.self) { try Self.read(Array(repeating: 0x41, count: 1024)) }

        var sparse = TarBuilder()
        sparse.entry("sp", .sparse)
        #expect(throws: LayerError.unsupportedEntry(entry: "sp", reason: "tar entry type 'S'")) { try Self.read(sparse.finished()) }

        var dangling = TarBuilder()
        dangling.pax([("path", Array("x".utf8))])
        #expect(throws: LayerError.malformedArchive("archive ends after an extended header")) { try Self.read(dangling.bytes) }

        var badPax = TarBuilder()
        badPax.entry("PaxHeaders/x", .pax, content: Array("99 path=x\n".utf8))
        badPax.file("f")
        #expect(throws: LayerError.malformedArchive("bad PAX record in entry #1")) { try Self.read(badPax.finished()) }
    }

    @Test func emptyStreamAndMissingSecondZeroBlock() throws {
        #expect(try Self.read([]).isEmpty)
        var t = TarBuilder()
        t.file("f", "x")
        #expect(try Self.read(t.bytes + [UInt8](repeating: 0, count: 512)).count == 1)
        #expect(try Self.read(t.bytes).count == 1)  // no end marker at all
    }

    @Test func diffIDCoversTheWholeStream() throws {
        var t = TarBuilder()
        t.file("a", "one")
        t.file("b", String(repeating: "2", count: 5000))
        let bytes = t.finished() + [UInt8](repeating: 0, count: 8192)  // tar's record padding
        let r = TarReader(BufferSource(bytes))
        while try r.next() != nil {}  // contents skipped, still hashed
        #expect(try r.diffID() == Digest.sha256(of: bytes))
    }

    @Test func gzipLayers() throws {
        var t = TarBuilder()
        t.file("a", String(repeating: "abc", count: 10_000))
        t.file("b", "b")
        let tar = t.finished()
        let gz = try gzipped(tar)
        #expect(gz.count < tar.count)
        let r = TarReader(try GzipSource(BufferSource(gz)))
        let got = try Self.entries(r)
        #expect(got.map(\.0.path) == ["a", "b"])
        #expect(got[0].1.count == 30_000)
        #expect(try r.diffID() == Digest.sha256(of: tar))

        // Two gzip members read as one stream.
        let two = try gzipped(Array(tar[..<1024])) + (try gzipped(Array(tar[1024...])))
        let r2 = TarReader(try GzipSource(BufferSource(two)))
        #expect(try Self.entries(r2).count == 2)
        #expect(try r2.diffID() == Digest.sha256(of: tar))

        #expect(throws: LayerError.corruptCompression("unexpected end of gzip stream")) {
            let r = TarReader(try GzipSource(BufferSource(Array(gz[..<(gz.count / 2)]))))
            _ = try Self.entries(r)
            _ = try r.diffID()
        }
        var corrupt = gz; corrupt[20] ^= 0xff; corrupt[21] ^= 0xff
        #expect(throws: LayerError.self) { _ = try Self.entries(TarReader(try GzipSource(BufferSource(corrupt)))) }
        #expect(throws: LayerError.self) { _ = try Self.entries(TarReader(try GzipSource(BufferSource(tar)))) }
    }

    @Test func mediaTypes() throws {
        #expect(try LayerCompression(mediaType: "application/vnd.oci.image.layer.v1.tar") == .none)
        #expect(try LayerCompression(mediaType: "application/vnd.oci.image.layer.v1.tar+gzip") == .gzip)
        #expect(try LayerCompression(mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip") == .gzip)
        #expect(try LayerCompression(mediaType: "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip") == .gzip)
        #expect(throws: LayerError.unsupportedMediaType("application/vnd.oci.image.layer.v1.tar+zstd")) {
            try LayerCompression(mediaType: "application/vnd.oci.image.layer.v1.tar+zstd")
        }
        #expect(LayerError.unsupportedMediaType("x/y").description == "unsupported layer media type \"x/y\"")
    }
}

@Suite("Image tar reader: hostile bytes")
struct ImageTarReaderFuzzTests {
    /// Flipped bytes anywhere in an archive make the reader throw or read on; never trap.
    @Test func mutatedArchivesNeverTrap() {
        var t = TarBuilder()
        t.pax([("path", Array(String(repeating: "p", count: 150).utf8)), ("SCHILY.xattr.user.x", [1, 2])])
        t.file("a", String(repeating: "a", count: 700))
        t.gnuLongName(String(repeating: "g", count: 120))
        t.file("b", "b")
        t.entry("dev", .char, major: 4, minor: 5)
        let base = t.finished()
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
            _ = try? ImageTarReaderTests.read(bytes)
        }
    }
}
