import Foundation
import Glibc
import Testing
@testable import NodeAgent

// Needs root (whiteout devices, overlay mounts), skopeo, umoci, tar, gzip.
@Suite("Image import (root)", .serialized)
struct ImageImportTests {
    /// The pull tests' checks (layers unpacked, whiteout device, nothing half-written).
    let pull = RegistryPullTests()

    func importer(_ sb: RegistrySandbox) throws -> ImageImporter {
        ImageImporter(puller: try pull.puller(sb))
    }

    /// `tar -C layout -cf <name> .`
    func tarLayout(_ sb: RegistrySandbox, _ layout: String, _ name: String) throws -> String {
        let file = sb.dir + "/" + name
        try shell("/usr/bin/tar", ["-C", layout, "-cf", file, "."])
        return file
    }

    func dockerArchive(_ sb: RegistrySandbox, _ layout: String, tag: String, name: String, file: String) throws -> String {
        let path = sb.dir + "/" + file
        try shell("/usr/bin/skopeo", ["--insecure-policy", "copy", "oci:" + layout + ":" + tag, "docker-archive:" + path + ":" + name])
        return path
    }

    func gzip(_ path: String) throws -> String {
        try shell("/usr/bin/gzip", ["-kf", path])
        return path + ".gz"
    }

    @Test("an OCI layout archive: record, layers once, whiteout device; a tag-only ref.name needs a name")
    func ociLayout() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let layout = try sb.buildImage()
        let archive = try tarLayout(sb, layout, "oci.tar")
        let imp = try importer(sb)
        #expect {
            _ = try imp.importArchive(archive)
        } throws: { "\($0)".contains("has no image name") && "\($0)".contains("\"v1\"") }
        let images = try imp.importArchive(archive, name: "example.com/air/busybox")
        let image = try #require(images.first)
        #expect(images.count == 1)
        #expect(image.reference == "example.com/air/busybox:v1")
        let desc = try RegistrySandbox.layoutDescriptor(layout, tag: "v1")
        #expect(image.digest == desc["digest"] as? String)
        #expect(image.manifestDigest == image.digest)
        try pull.checkUnpacked(imp.puller, image)
        #expect(imp.puller.record(try ImageReference("example.com/air/busybox:v1")) == image)
        #expect(imp.puller.records() == [image])
        // Again: the same record, the layers not unpacked a second time.
        let l1 = imp.puller.layerPath(try Digest(image.diffIDs[0]))
        let before = try #require(pull.st(l1 + "/etc/hello.txt"))
        #expect(try imp.importArchive(archive, name: "example.com/air/busybox") == images)
        #expect(pull.st(l1 + "/etc/hello.txt")?.st_ino == before.st_ino)
    }

    @Test("a docker save archive (skopeo docker-archive) and a gzipped one: records with their names")
    func dockerSaveAndGzip() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let layout = try sb.buildImage()
        let imp = try importer(sb)
        let archive = try dockerArchive(sb, layout, tag: "v1", name: "example.com/docker/busybox:v1", file: "docker.tar")
        let images = try imp.importArchive(archive)
        let image = try #require(images.first)
        #expect(images.count == 1)
        #expect(image.reference == "example.com/docker/busybox:v1")
        // Uncompressed layers: the stored blob is the layer tar, its digest the diffID.
        #expect(image.layerDigests == image.diffIDs)
        #expect(imp.store.has(try Digest(image.manifestDigest)))
        #expect(imp.store.has(try Digest(image.config)))
        try pull.checkUnpacked(imp.puller, image)

        // The same layers as the OCI image: the OCI import reuses them.
        let gz = try gzip(try tarLayout(sb, layout, "oci.tar"))
        let oci = try #require(try imp.importArchive(gz, name: "gz/busybox").first)
        #expect(oci.reference == "docker.io/gz/busybox:v1")
        #expect(oci.diffIDs == image.diffIDs)
        #expect(oci.layerDigests != oci.diffIDs, "OCI layers are gzip blobs")
        try pull.checkUnpacked(imp.puller, oci)

        let dockerGz = try gzip(archive)
        try FileManager.default.removeItem(atPath: imp.puller.recordPath(try ImageReference(image.reference)))
        #expect(try imp.importArchive(dockerGz) == images)
        #expect(imp.puller.records().map(\.reference) == ["docker.io/gz/busybox:v1", "example.com/docker/busybox:v1"])
    }

    @Test("an air-gap directory: every archive imported once, a copy skipped, a broken one reported")
    func airGapDirectory() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let layout = try sb.buildImage()
        _ = try sb.buildImage(tag: "v2")
        let dir = sb.dir + "/agent-images"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let a = try dockerArchive(sb, layout, tag: "v1", name: "air/one:v1", file: "one.tar")
        let b = try gzip(try dockerArchive(sb, layout, tag: "v2", name: "air/two:v2", file: "two.tar"))
        try FileManager.default.copyItem(atPath: a, toPath: dir + "/a-one.tar")
        try FileManager.default.copyItem(atPath: a, toPath: dir + "/c-one-again.tar")
        try FileManager.default.copyItem(atPath: b, toPath: dir + "/b-two.tar.gz")
        try "not a tar archive\n".write(toFile: dir + "/broken.tgz", atomically: true, encoding: .utf8)
        try "ignored\n".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)

        let imp = try importer(sb)
        let results = try imp.importDirectory(dir)
        #expect(results.map { ($0.file as NSString).lastPathComponent } == ["a-one.tar", "b-two.tar.gz", "broken.tgz", "c-one-again.tar"])
        guard results.count == 4 else { return }
        guard case .imported(let one) = results[0].outcome, case .imported(let two) = results[1].outcome else {
            Issue.record("\(results)"); return
        }
        #expect(one.map(\.reference) == ["docker.io/air/one:v1"])
        #expect(two.map(\.reference) == ["docker.io/air/two:v2"])
        guard case .failed(let error) = results[2].outcome else { Issue.record("\(results[2])"); return }
        #expect(error.archive == dir + "/broken.tgz")
        #expect(error.description.contains("not a tar archive"), "\(error)")
        #expect(results[3].outcome == .skipped)
        #expect(imp.puller.records().map(\.reference) == ["docker.io/air/one:v1", "docker.io/air/two:v2"])

        // A second pass: the good ones skipped, the broken one still reported.
        let again = try imp.importDirectory(dir)
        #expect(again.map(\.outcome).filter { $0 == .skipped }.count == 3)
        #expect(again.filter { if case .failed = $0.outcome { return true } else { return false } }.count == 1)
    }

    @Test("a blob whose bytes do not match its name, a missing blob, garbage: clear errors, nothing half-written")
    func badArchives() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let layout = try sb.buildImage()
        let imp = try importer(sb)
        let ref = try ImageReference("bad/busybox:v1")
        let manifestDigest = try #require(try RegistrySandbox.layoutDescriptor(layout, tag: "v1")["digest"] as? String)
        let manifest = try JSONDecoder().decode(RegistryImageManifest.self, from: try RegistrySandbox.layoutBlob(layout, manifestDigest))
        let layerHex = String(manifest.layers[1].digest.dropFirst(7))
        let configHex = String(manifest.config.digest.dropFirst(7))

        // A layer blob edited in place: same size, other bytes.
        let corrupt = sb.dir + "/corrupt"
        try shell("/bin/cp", ["-a", layout, corrupt])
        let blob = corrupt + "/blobs/sha256/" + layerHex
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blob))
        bytes[bytes.count / 2] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: blob))
        let a = try tarLayout(sb, corrupt, "corrupt.tar")
        #expect {
            _ = try imp.importArchive(a, name: "bad/busybox")
        } throws: { "\($0)".contains("digest mismatch") && "\($0)".contains(layerHex) && "\($0)".hasPrefix("import \(a):") }
        pull.expectNothingStored(imp.puller, ref)
        #expect(!imp.store.has(try Digest(algorithm: .sha256, hex: layerHex)))

        // The config blob missing.
        let missing = sb.dir + "/missing"
        try shell("/bin/cp", ["-a", layout, missing])
        try FileManager.default.removeItem(atPath: missing + "/blobs/sha256/" + configHex)
        let m = try tarLayout(sb, missing, "missing.tar")
        #expect {
            _ = try imp.importArchive(m, name: "bad/busybox")
        } throws: { "\($0)".contains("config of docker.io/bad/busybox:v1 sha256:\(configHex) is missing from the archive") }
        pull.expectNothingStored(imp.puller, ref)

        // A docker archive missing a layer tar.
        let docker = try dockerArchive(sb, layout, tag: "v1", name: "bad/busybox:v1", file: "docker.tar")
        let unpacked = sb.dir + "/docker-unpacked"
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        try shell("/usr/bin/tar", ["-C", unpacked, "-xf", docker])
        let layerTar = try #require(try FileManager.default.contentsOfDirectory(atPath: unpacked).first { $0.hasSuffix(".tar") })
        try FileManager.default.removeItem(atPath: unpacked + "/" + layerTar)
        let d = try tarLayout(sb, unpacked, "docker-missing.tar")
        #expect {
            _ = try imp.importArchive(d)
        } throws: { "\($0)".contains("layer \(layerTar) is missing from the archive") }
        pull.expectNothingStored(imp.puller, ref)

        // Truncated and not archives at all.
        let truncated = sb.dir + "/truncated.tar"
        let whole = try Data(contentsOf: URL(fileURLWithPath: try tarLayout(sb, layout, "whole.tar")))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect { _ = try imp.importArchive(truncated, name: "bad/busybox") } throws: { "\($0)".contains("truncated") }
        let text = try sb.write("hello\n", to: "text.tar")
        #expect { _ = try imp.importArchive(text) } throws: { "\($0)".contains("not a tar archive") }
        let empty = sb.dir + "/empty.tar"
        try shell("/usr/bin/tar", ["-cf", empty, "--files-from", "/dev/null"])
        #expect { _ = try imp.importArchive(empty) } throws: { "\($0)".contains("neither an OCI image layout") }
        #expect { _ = try imp.importArchive(sb.dir + "/no-such.tar") } throws: { "\($0)".contains("no such file") }
        pull.expectNothingStored(imp.puller, ref)
        #expect(imp.puller.records().isEmpty)
        let ingest = try FileManager.default.contentsOfDirectory(atPath: imp.store.root + "/ingest")
        #expect(ingest.filter { $0.hasSuffix(".tmp") || $0.hasSuffix(".partial") }.isEmpty, "\(ingest)")
    }

    @Test("an imported image runs a container on its overlay rootfs")
    func importedImageRuns() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let box = try Sandbox("import")
        defer { box.cleanUp() }
        let layout = try sb.buildImage()
        let imp = try importer(sb)
        let image = try #require(try imp.importArchive(try tarLayout(sb, layout, "oci.tar"), name: "run/busybox").first)
        let layers = try image.diffIDs.map { imp.puller.layerPath(try Digest($0)) }
        let rootfs = OverlayRootfs(root: box.dir + "/containers")
        let merged = try rootfs.prepare(id: "imported", layers: layers)
        defer { try? rootfs.remove(id: "imported") }
        var spec = box.spec(["sh", "-c", "cat /etc/hello.txt /etc/second.txt; ls /etc/gone.txt 2>/dev/null || echo gone"])
        spec.root = Spec.Root(path: merged)
        let (exit, out) = try box.run(spec, id: "imported")
        #expect(exit.code == 0, "\(out)")
        #expect(out == "hello from layer one\nadded by layer two\ngone\n")
        try rootfs.remove(id: "imported")
        #expect(!OverlayRootfsTests.mounted(merged))
        #expect(!FileManager.default.fileExists(atPath: rootfs.directory("imported")))
    }

    @Test("an index in the archive resolves to our platform; one without it fails the archive")
    func multiPlatformIndex() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let layout = try sb.buildImage(tag: "amd")
        _ = try sb.buildImage(tag: "arm", architecture: "arm64")
        try sb.addIndex(layout, tag: "multi", entries: [("arm", "linux", "arm64"), ("amd", "linux", "amd64")])
        let archive = try tarLayout(sb, layout, "multi.tar")
        let imp = try importer(sb)
        let images = try imp.importArchive(archive, name: "example.com/multi")
        #expect(images.map(\.reference) == ["example.com/multi:amd", "example.com/multi:arm", "example.com/multi:multi"])
        let multi = try #require(images.last)
        let amd = try RegistrySandbox.layoutDescriptor(layout, tag: "amd")["digest"] as! String
        #expect(multi.manifestDigest == amd)
        let indexDigest = try RegistrySandbox.layoutDescriptor(layout, tag: "multi")["digest"] as? String
        #expect(multi.digest == indexDigest)
        try pull.checkUnpacked(imp.puller, multi)

        let s390 = ImageImporter(puller: ImagePuller(store: try BlobStore(root: sb.dir + "/store-s390x"), client: testClient(),
                                                     platform: RegistryPlatform(os: "linux", architecture: "s390x")))
        #expect {
            _ = try s390.importArchive(archive, name: "example.com/multi")
        } throws: { "\($0)".contains("no image for platform linux/s390x") && "\($0)".contains("linux/arm64, linux/amd64") }
        #expect(s390.puller.records().isEmpty)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: s390.store.root + "/layers/sha256")) ?? []).isEmpty)
    }

    @Test("swiftlet images import FILE|DIR through the binary")
    func importCLI() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let layout = try sb.buildImage()
        let root = sb.dir + "/cli-store"
        let oci = try tarLayout(sb, layout, "oci.tar")
        let unnamed = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", root, "import", oci])
        #expect(unnamed.code != 0 && unnamed.err.contains("give a name"), "\(unnamed)")
        let named = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", root, "import", "--name", "cli/oci", oci])
        let digest = try RegistrySandbox.layoutDescriptor(layout, tag: "v1")["digest"] as! String
        #expect(named.code == 0 && named.out == "docker.io/cli/oci:v1 \(digest)\n", "\(named)")

        let dir = sb.dir + "/air"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = try dockerArchive(sb, layout, tag: "v1", name: "cli/docker:v1", file: "air/docker.tar")
        try "junk".write(toFile: dir + "/junk.tar", atomically: true, encoding: .utf8)
        let first = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", root, "import", dir])
        #expect(first.code != 0 && first.out.hasPrefix("docker.io/cli/docker:v1 sha256:"), "\(first)")
        #expect(first.err.contains("junk.tar: not a tar archive") && first.err.contains("1 of 2 archive(s) failed"), "\(first)")
        try FileManager.default.removeItem(atPath: dir + "/junk.tar")
        let second = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", root, "import", dir])
        #expect(second.code == 0 && second.out == "skipped \(dir)/docker.tar (already imported)\n", "\(second)")
        let listed = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", root, "list"])
        #expect(listed.out.contains("docker.io/cli/docker:v1") && listed.out.contains("docker.io/cli/oci:v1"), "\(listed)")
    }

    @Test("image names from OCI annotations, and archive paths")
    func naming() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let imp = try importer(sb)
        func fail(_ r: String) -> ImageImportError { ImageImportError(archive: "x.tar", reason: r) }
        let ref = ImageImporter.refNameAnnotation, ctr = ImageImporter.containerdNameAnnotation
        #expect(try imp.ociName([ref: "example.com/a/b:1.0"], digest: "d", name: nil, fail: fail).description == "example.com/a/b:1.0")
        #expect(try imp.ociName([ref: "busybox:1.36"], digest: "d", name: "ignored", fail: fail).description == "docker.io/library/busybox:1.36")
        #expect(try imp.ociName([ctr: "docker.io/library/nginx:1", ref: "1"], digest: "d", name: nil, fail: fail).description == "docker.io/library/nginx:1")
        #expect(try imp.ociName([ref: "v2"], digest: "d", name: "reg:5000/app", fail: fail).description == "reg:5000/app:v2")
        #expect(try imp.ociName([ref: "v2"], digest: "d", name: "reg:5000/app:pinned", fail: fail).description == "reg:5000/app:pinned")
        #expect(try imp.ociName(nil, digest: "d", name: "app", fail: fail).description == "docker.io/library/app:latest")
        #expect { _ = try imp.ociName(nil, digest: "sha256:abc", name: nil, fail: fail) } throws: {
            "\($0)" == "import x.tar: manifest sha256:abc has no image name (org.opencontainers.image.ref.name is absent): give a name"
        }
        #expect(ImageImporter.normalise("./blobs//sha256/./x") == "blobs/sha256/x")
        #expect(ImageImporter.normalise("a/../../etc") == nil)
        #expect(ImageImporter.isArchiveName("a.tgz") && ImageImporter.isArchiveName("a.tar.gz") && !ImageImporter.isArchiveName("a.zip"))
    }
}
