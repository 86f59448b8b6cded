import SwiftletCSystem
import Foundation
import Glibc
import Testing
@testable import NodeAgent

/// Layer unpacking where it needs root: whiteout devices (mknod), `trusted.*` xattrs, device
/// nodes and ownership; and a real overlay mount over unpacked layers (in a child's private
/// mount namespace, so this process's mount table is untouched). The archives come from
/// Python's `tarfile`, an independent writer, in GNU and PAX formats.
// Needs root, /usr/bin/python3 (from `make deps`) and unshare (util-linux): a missing one fails.
@Suite("Image layer unpacker (root)", .serialized)
struct ImageLayerUnpackerRootTests {
    let dir: String
    let unpacker = LayerUnpacker(preserveOwnership: true)
    static let tarType = "application/vnd.oci.image.layer.v1.tar"

    init() throws {
        dir = NSTemporaryDirectory() + "swiftlet-layer-root-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    /// Removes the temp tree (no deinit on a struct: each test calls it in a defer).
    func cleanUp() { try? FileSystem.removeTree(dir) }

    /// A tar written by Python: `body` calls `add(name, type, data, mode, uid, gid, link, major,
    /// minor, mtime, pax)` and may use `tarfile.*` constants.
    func pythonTar(_ body: String, format: String = "PAX_FORMAT", gzip: Bool = false) throws -> [UInt8] {
        let out = dir + "/archive-\(UInt32.random(in: 0...UInt32.max))"
        let script = """
        import io, sys, tarfile
        t = tarfile.open(sys.argv[1], 'w:gz' if \(gzip ? "True" : "False") else 'w', format=tarfile.\(format))
        def add(name, type=tarfile.REGTYPE, data=b'', mode=0o644, uid=0, gid=0, link='', major=0, minor=0, mtime=1700000000, pax=None):
            ti = tarfile.TarInfo(name)
            ti.type, ti.mode, ti.uid, ti.gid, ti.linkname = type, mode, uid, gid, link
            ti.devmajor, ti.devminor, ti.mtime = major, minor, mtime
            if pax: ti.pax_headers = pax
            if isinstance(data, str): data = data.encode()
            ti.size = len(data) if type == tarfile.REGTYPE else 0
            t.addfile(ti, io.BytesIO(data) if type == tarfile.REGTYPE else None)
        \(body.split(separator: "\n").joined(separator: "\n"))
        t.close()
        """
        try shell("/usr/bin/python3", ["-c", script, out])
        defer { unlink(out) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    @discardableResult
    func unpack(_ bytes: [UInt8], into name: String, gzip: Bool = false) throws -> LayerUnpackResult {
        try unpacker.unpack(BufferSource(bytes), mediaType: gzip ? Self.tarType + "+gzip" : Self.tarType, into: dir + "/" + name)
    }

    func st(_ path: String) -> stat? {
        var s = stat()
        return lstat(path, &s) == 0 ? s : nil
    }

    func xattr(_ path: String, _ name: String) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: 256)
        let n = buf.withUnsafeMutableBytes { swl_lgetxattr(path, name, $0.baseAddress, $0.count) }
        return n < 0 ? nil : Array(buf[0..<Int(n)])
    }

    @Test func whiteoutsBecomeCharacterDevicesZeroZero() throws {
        defer { cleanUp() }
        let tar = try pythonTar("""
        add('gone-file', data='will be whited out below')
        add('.wh.gone-file', uid=7, gid=8)
        add('.wh.lower-only')
        add('sub', tarfile.DIRTYPE, mode=0o755)
        add('sub/.wh.nested')
        add('.wh..wh.plnk', tarfile.DIRTYPE)
        add('.wh..wh.plnk/1234.5678', data='aufs hard link store')
        """)
        let result = try unpack(tar, into: "layer")
        let l = dir + "/layer"
        for name in ["gone-file", "lower-only", "sub/nested"] {
            let s = try #require(st(l + "/" + name), "\(name)")
            #expect(s.st_mode & S_IFMT == S_IFCHR, "\(name)")
            #expect(swl_major(s.st_rdev) == 0 && swl_minor(s.st_rdev) == 0, "\(name)")
        }
        #expect(st(l + "/gone-file")?.st_uid == 7 && st(l + "/gone-file")?.st_gid == 8)
        let names = try FileManager.default.subpathsOfDirectory(atPath: l)
        #expect(!names.contains { $0.contains(".wh.") }, "\(names)")
        #expect(result.whiteouts == 3)
    }

    @Test func opaqueMarkerBecomesTheOverlayXattr() throws {
        defer { cleanUp() }
        let tar = try pythonTar("""
        add('etc', tarfile.DIRTYPE, mode=0o755)
        add('etc/.wh..wh..opq')
        add('etc/fresh', data='only this')
        add('opaque-first/.wh..wh..opq')
        add('sym', tarfile.SYMTYPE, link='forged', pax={'SCHILY.xattr.user.onlink': 'v'})
        add('forged', tarfile.DIRTYPE, pax={'SCHILY.xattr.trusted.overlay.opaque': 'y', 'SCHILY.xattr.user.kept': 'v1', 'SCHILY.xattr.trusted.other': 't'})
        """)
        let result = try unpack(tar, into: "layer")
        let l = dir + "/layer"
        #expect(xattr(l + "/etc", LayerUnpacker.opaqueXattr) == Array("y".utf8))
        #expect(xattr(l + "/opaque-first", LayerUnpacker.opaqueXattr) == Array("y".utf8))
        #expect(st(l + "/etc/.wh..wh..opq") == nil)
        #expect(result.opaqueDirectories == 2)
        // Only the unpacker writes trusted.overlay.*; other xattrs come through.
        #expect(xattr(l + "/forged", LayerUnpacker.opaqueXattr) == nil)
        #expect(xattr(l + "/forged", "user.kept") == Array("v1".utf8))
        #expect(xattr(l + "/forged", "trusted.other") == Array("t".utf8))
    }

    @Test func devicesFifosOwnershipAndModes() throws {
        defer { cleanUp() }
        let tar = try pythonTar("""
        add('dev', tarfile.DIRTYPE, mode=0o755, uid=0, gid=0)
        add('dev/null', tarfile.CHRTYPE, mode=0o666, major=1, minor=3)
        add('dev/loop0', tarfile.BLKTYPE, mode=0o660, major=7, minor=0, gid=6)
        add('run/pipe', tarfile.FIFOTYPE, mode=0o620)
        add('usr/bin/su', data='suid', mode=0o4755, uid=0, gid=0)
        add('usr/bin/wall', data='sgid', mode=0o2755, uid=1234, gid=5)
        add('home/u', tarfile.DIRTYPE, mode=0o1770, uid=1000, gid=1000, mtime=1234567)
        add('home/u/link', tarfile.SYMTYPE, link='/nowhere', uid=1000, gid=1001)
        add('home/u/file', data='x', uid=1000, gid=1000, mode=0o600, pax={'mtime': '1600000000.5'})
        """)
        try unpack(tar, into: "layer")
        let l = dir + "/layer"
        let null = try #require(st(l + "/dev/null"))
        #expect(null.st_mode & S_IFMT == S_IFCHR && null.st_mode & 0o777 == 0o666)
        #expect(swl_major(null.st_rdev) == 1 && swl_minor(null.st_rdev) == 3)
        let loop = try #require(st(l + "/dev/loop0"))
        #expect(loop.st_mode & S_IFMT == S_IFBLK && swl_major(loop.st_rdev) == 7 && loop.st_gid == 6)
        #expect(st(l + "/run/pipe").map { $0.st_mode & S_IFMT == S_IFIFO && $0.st_mode & 0o777 == 0o620 } == true)
        #expect((st(l + "/usr/bin/su")?.st_mode ?? 0) & 0o7777 == 0o4755)
        let wall = try #require(st(l + "/usr/bin/wall"))
        #expect(wall.st_mode & 0o7777 == 0o2755 && wall.st_uid == 1234 && wall.st_gid == 5)
        let home = try #require(st(l + "/home/u"))
        #expect(home.st_mode & 0o7777 == 0o1770 && home.st_uid == 1000 && home.st_mtim.tv_sec == 1234567)
        let link = try #require(st(l + "/home/u/link"))
        #expect(link.st_mode & S_IFMT == S_IFLNK && link.st_uid == 1000 && link.st_gid == 1001)
        let file = try #require(st(l + "/home/u/file"))
        #expect(file.st_mtim.tv_sec == 1_600_000_000 && file.st_mtim.tv_nsec == 500_000_000)
    }

    @Test(arguments: ["GNU_FORMAT", "PAX_FORMAT", "USTAR_FORMAT"])
    func pythonFormatsWithLongNamesAndGzip(_ format: String) throws {
        defer { cleanUp() }
        let deep = (0..<(format == "USTAR_FORMAT" ? 4 : 15)).map { "level-\($0)" }.joined(separator: "/")
        let body = """
        add('\(deep)/file.txt', data='deep')
        add('\(deep)/hard', tarfile.LNKTYPE, link='\(deep)/file.txt')
        add('\(deep)/sym', tarfile.SYMTYPE, link='\(deep)/file.txt')
        add('.wh.old')
        """
        let plain = try pythonTar(body, format: format)
        let result = try unpack(plain, into: "plain")
        #expect(result.diffID == Digest.sha256(of: plain))
        let gz = try pythonTar(body, format: format, gzip: true)
        try unpack(gz, into: "gz", gzip: true)
        for l in [dir + "/plain", dir + "/gz"] {
            #expect(try String(contentsOfFile: l + "/\(deep)/file.txt", encoding: .utf8) == "deep")
            #expect(st(l + "/\(deep)/hard")?.st_ino == st(l + "/\(deep)/file.txt")?.st_ino)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: l + "/\(deep)/sym") == "\(deep)/file.txt")
            #expect((st(l + "/old")?.st_mode ?? 0) & S_IFMT == S_IFCHR)
        }
    }

    @Test func failureAfterSpecialFilesRemovesEverything() throws {
        defer { cleanUp() }
        let tar = try pythonTar("""
        add('dev/null', tarfile.CHRTYPE, mode=0o666, major=1, minor=3)
        add('.wh.x')
        add('d/.wh..wh..opq')
        add('../escape', data='no')
        """)
        #expect(throws: LayerError.unsafeEntry(entry: "../escape", reason: "path has a \"..\" component")) {
            try unpack(tar, into: "layer")
        }
        #expect(st(dir + "/layer") == nil)
        #expect(st(dir + "/escape") == nil)
    }

    /// The unpacked layers as overlay lowerdirs: whiteouts hide, opaque directories hide below.
    @Test func overlayMountHonoursTheLayers() throws {
        defer { cleanUp() }
        try unpack(try pythonTar("""
        add('a/x', data='x1')
        add('a/y', data='y1')
        add('b/z', data='z1')
        add('c/old', data='old')
        """), into: "l1")
        try unpack(try pythonTar("""
        add('a/.wh.x')
        add('.wh.b')
        add('c/.wh..wh..opq')
        add('c/new', data='new')
        """), into: "l2")
        let mnt = dir + "/mnt"
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: false)
        let script = "mount -t overlay overlay -o lowerdir=\(dir)/l2:\(dir)/l1 \(mnt) && cd \(mnt) && find . | sort"
        let r = try spawnAndWait("/usr/bin/unshare", ["-m", "/bin/sh", "-c", script])
        try #require(r.code == 0, "\(r.err)")
        #expect(r.out.split(separator: "\n") == [".", "./a", "./a/y", "./c", "./c/new"])
    }
}
