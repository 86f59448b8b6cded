import Foundation
import Glibc
import Testing
@testable import NodeAgent

/// The unpacker without privileges: ownership is not preserved, and nothing needs mknod or
/// trusted.* xattrs (those are in NodeAgentRootTests/ImageLayerUnpackerRootTests).
@Suite("Image layer unpacker")
struct ImageLayerUnpackerTests {
    let tmp = ImageTempDir("layer")
    var dest: String { tmp.path + "/layer" }
    let unpacker = LayerUnpacker(preserveOwnership: false)
    static let tarType = "application/vnd.oci.image.layer.v1.tar"

    @discardableResult
    func unpack(_ t: TarBuilder) throws -> LayerUnpackResult {
        try unpacker.unpack(BufferSource(t.finished()), mediaType: Self.tarType, into: dest)
    }

    func text(_ p: String) -> String? { try? String(contentsOfFile: dest + "/" + p, encoding: .utf8) }

    /// The unpack fails with `expected` and leaves no layer directory behind.
    func refused(_ t: TarBuilder, _ expected: LayerError, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: expected, sourceLocation: sourceLocation) { try unpack(t) }
        #expect(lstatOf(dest) == nil, "partial layer left behind", sourceLocation: sourceLocation)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) == [], sourceLocation: sourceLocation)
    }

    @Test func filesDirectoriesAndSymlinks() throws {
        var t = TarBuilder()
        t.dir("etc/", mode: 0o750, mtime: 1_000_000)
        t.file("etc/hosts", "127.0.0.1 localhost\n", mode: 0o640, mtime: 2_000_000)
        t.file("bin/tool", "#!/bin/sh\n", mode: 0o755)  // parent "bin" not archived: created
        t.symlink("etc/localtime", to: "/usr/share/zoneinfo/UTC")
        t.symlink("rel", to: "../../outside")  // a symlink may point anywhere; it is never followed
        t.dir("empty/", mode: 0o700)
        let result = try unpack(t)
        #expect(result.entries == 6)
        #expect(result.contentBytes == 30)
        #expect(text("etc/hosts") == "127.0.0.1 localhost\n")
        let hosts = try #require(lstatOf(dest + "/etc/hosts"))
        #expect(hosts.st_mode & 0o7777 == 0o640)
        #expect(hosts.st_mtim.tv_sec == 2_000_000)
        let etc = try #require(lstatOf(dest + "/etc"))
        #expect(etc.st_mode & 0o7777 == 0o750)
        #expect(etc.st_mtim.tv_sec == 1_000_000)  // set after its children were written
        #expect(try #require(lstatOf(dest + "/bin/tool")).st_mode & 0o777 == 0o755)
        #expect(try #require(lstatOf(dest + "/bin")).st_mode & S_IFMT == S_IFDIR)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dest + "/etc/localtime") == "/usr/share/zoneinfo/UTC")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dest + "/rel") == "../../outside")
        #expect(try #require(lstatOf(dest + "/empty")).st_mode & 0o7777 == 0o700)
        #expect(result.diffID == Digest.sha256(of: t.finished()))
    }

    @Test func hardLinksShareTheInode() throws {
        var t = TarBuilder()
        t.file("usr/bin/busybox", "BB", mode: 0o755)
        t.hardLink("bin/sh", to: "usr/bin/busybox")
        t.hardLink("bin/ls", to: "/usr/bin/busybox")  // absolute: within the layer
        t.symlink("usr/bin/sl", to: "busybox")
        t.hardLink("bin/sl", to: "usr/bin/sl")  // a link to a symlink links the symlink
        try unpack(t)
        let a = try #require(lstatOf(dest + "/usr/bin/busybox"))
        let b = try #require(lstatOf(dest + "/bin/sh"))
        let c = try #require(lstatOf(dest + "/bin/ls"))
        #expect(a.st_ino == b.st_ino && a.st_ino == c.st_ino)
        #expect(a.st_nlink == 3)
        #expect(try #require(lstatOf(dest + "/bin/sl")).st_mode & S_IFMT == S_IFLNK)
    }

    @Test func paxAndGnuLongNames() throws {
        let longDir = (0..<12).map { "directory-\($0)" }.joined(separator: "/")
        var t = TarBuilder()
        t.pax([("path", Array((longDir + "/file.txt").utf8))])
        t.file("short", "long-named")
        t.gnuLongName(longDir + "/gnu.txt")
        t.entry("trunc", content: Array("gnu".utf8), gnu: true)
        t.pax([("linkpath", Array((longDir + "/file.txt").utf8))])
        t.hardLink("hl", to: "x")
        try unpack(t)
        #expect(text(longDir + "/file.txt") == "long-named")
        #expect(text(longDir + "/gnu.txt") == "gnu")
        #expect(text("hl") == "long-named")
    }

    @Test func laterEntriesReplaceEarlierOnes() throws {
        var t = TarBuilder()
        t.file("a", "first")
        t.file("a", "second")
        t.dir("d/")
        t.file("d/inner", "x")
        t.file("d", "now a file")
        t.symlink("s", to: "a")
        t.file("s", "replaces the link, not its target")
        try unpack(t)
        #expect(text("a") == "second")
        #expect(text("d") == "now a file")
        #expect(text("s") == "replaces the link, not its target")
        #expect(try #require(lstatOf(dest + "/s")).st_mode & S_IFMT == S_IFREG)
    }

    @Test func absoluteAndDotNamesLandInside() throws {
        var t = TarBuilder()
        t.file("/abs", "inside")
        t.file("./dot/./x", "dotted")
        t.file("//double//slash", "ds")
        t.dir("./", mode: 0o755)
        try unpack(t)
        #expect(text("abs") == "inside")
        #expect(text("dot/x") == "dotted")
        #expect(text("double/slash") == "ds")
    }

    @Test func dotDotIsRefused() {
        var t = TarBuilder()
        t.file("ok", "fine")
        t.file("../evil", "escaped")
        refused(t, .unsafeEntry(entry: "../evil", reason: "path has a \"..\" component"))
        #expect(lstatOf(tmp.path + "/../evil") == nil)

        var inner = TarBuilder()
        inner.file("a/../../evil", "x")
        refused(inner, .unsafeEntry(entry: "a/../../evil", reason: "path has a \"..\" component"))
    }

    @Test func symlinkEscapeIsRefused() {
        let outsideDir = ImageTempDir("outside")
        let outside = outsideDir.path
        var t = TarBuilder()
        t.symlink("link", to: outside)
        t.file("link/passwd", "pwned")
        #expect(throws: LayerError.unsafeEntry(entry: "link/passwd", reason: "parent \"link\" is a symlink; entries are never written through symlinks")) {
            try unpack(t)
        }
        #expect(lstatOf(outside + "/passwd") == nil)
        #expect(lstatOf(dest) == nil)

        var etc = TarBuilder()
        etc.symlink("link", to: "/etc")
        etc.file("link/passwd", "pwned")
        let before = try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)
        #expect(throws: LayerError.self) { try unpack(etc) }
        #expect((try? String(contentsOfFile: "/etc/passwd", encoding: .utf8)) == before)
        #expect(lstatOf(dest) == nil)

        // A symlinked directory in the middle of a path, and a hard link through one.
        var mid = TarBuilder()
        mid.dir("a/")
        mid.symlink("a/b", to: "/tmp")
        mid.dir("a/b/c/")
        refused(mid, .unsafeEntry(entry: "a/b/c/", reason: "parent \"a/b\" is a symlink; entries are never written through symlinks"))

        var hl = TarBuilder()
        hl.symlink("l", to: "/etc")
        hl.hardLink("stolen", to: "l/passwd")
        refused(hl, .unsafeEntry(entry: "stolen", reason: "hard link target \"l/passwd\" goes through a symlink"))
    }

    @Test func hardLinksOutsideAreRefused() {
        var up = TarBuilder()
        up.hardLink("h", to: "../../../etc/passwd")
        refused(up, .unsafeEntry(entry: "h", reason: "path has a \"..\" component"))

        var missing = TarBuilder()
        missing.hardLink("h", to: "/etc/passwd")  // means <layer>/etc/passwd, which is not there
        refused(missing, .unsafeEntry(entry: "h", reason: "hard link target \"/etc/passwd\" is not in the layer"))

        var dir = TarBuilder()
        dir.dir("d/")
        dir.hardLink("h", to: "d")
        refused(dir, .unsafeEntry(entry: "h", reason: "hard link to directory \"d\""))
    }

    @Test func otherRefusals() {
        var root = TarBuilder()
        root.file("./", "x")
        root.entry(".", .symlink, link: "/")
        refused(root, .unsafeEntry(entry: ".", reason: "would replace the layer root"))

        var parentFile = TarBuilder()
        parentFile.file("f", "x")
        parentFile.file("f/g", "y")
        refused(parentFile, .unsafeEntry(entry: "f/g", reason: "parent \"f\" is not a directory"))

        var truncated = TarBuilder()
        truncated.file("big", String(repeating: "b", count: 4096))
        #expect(throws: LayerError.malformedArchive("archive truncated inside an entry's content")) {
            try unpacker.unpack(BufferSource(Array(truncated.bytes.prefix(2000))), mediaType: Self.tarType, into: dest)
        }
        #expect(lstatOf(dest) == nil)
    }

    @Test func mediaTypeDestinationAndDiffID() throws {
        var t = TarBuilder()
        t.file("f", "x")
        #expect(throws: LayerError.unsupportedMediaType("application/vnd.oci.image.layer.v1.tar+zstd")) {
            try unpacker.unpack(BufferSource(t.finished()), mediaType: "application/vnd.oci.image.layer.v1.tar+zstd", into: dest)
        }
        #expect(lstatOf(dest) == nil)

        let wrong = Digest.sha256(of: [1])
        #expect(throws: LayerError.diffIDMismatch(expected: wrong, actual: Digest.sha256(of: t.finished()))) {
            try unpacker.unpack(BufferSource(t.finished()), mediaType: Self.tarType, into: dest, expectedDiffID: wrong)
        }
        #expect(lstatOf(dest) == nil)

        try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: false)
        #expect(throws: LayerError.destinationExists(dest)) { try unpack(t) }
        #expect(lstatOf(dest) != nil)  // not ours: left alone
    }

    @Test func gzipLayerFromABlobStoreFile() throws {
        var t = TarBuilder()
        t.file("etc/os-release", "ID=swiftlet\n")
        t.symlink("etc/alias", to: "os-release")
        let gz = try gzipped(t.finished())
        let store = try BlobStore(root: tmp.path + "/store")
        let digest = Digest.sha256(of: gz)
        try store.ingest(digest, bytes: gz)
        let fd = try store.open(digest)
        defer { close(fd) }
        let result = try unpacker.unpack(FileDescriptorSource(fd: fd), mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
                                         into: dest, expectedDiffID: Digest.sha256(of: t.finished()))
        #expect(result.entries == 2)
        #expect(text("etc/os-release") == "ID=swiftlet\n")
        #expect(text("etc/alias") == "ID=swiftlet\n")
    }
}
