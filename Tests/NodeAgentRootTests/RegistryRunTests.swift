import Foundation
import Glibc
import Testing
@testable import NodeAgent

/// From registry to running container: an image pulled from Debian's docker-registry, its
/// layers overlaid by OverlayRootfs, a container run on it by the runtime; and a registry whose
/// manifest names a blob it no longer has.
// Needs root (overlay mounts, whiteout devices), docker-registry, skopeo, umoci (`make deps`).
@Suite("Registry pull and run (root)", .serialized)
struct RegistryRunTests {
    static func mounts() -> String {
        (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    }

    static func puller(_ root: String) throws -> ImagePuller {
        ImagePuller(store: try BlobStore(root: root), client: testClient(),
                    platform: RegistryPlatform(os: "linux", architecture: "amd64"))
    }

    @Test("a pulled image runs a container: layer one's file is there, the one layer two deleted is not")
    func pulledImageRuns() throws {
        let sb = try RegistrySandbox()
        let box = try Sandbox("pullrun")
        let rootfs = OverlayRootfs(root: sb.dir + "/containers")
        let id = "pulled1"
        defer {
            try? rootfs.remove(id: id)
            box.cleanUp()
            sb.cleanUp()
            // Pass or fail, no mount of ours is left.
            #expect(!Self.mounts().contains(sb.dir), "a mount under \(sb.dir) is left")
        }
        let port = try sb.startRegistry()
        try sb.push(try sb.buildImage(), tag: "v1", port: port, repo: "run/busybox")
        let p = try Self.puller(sb.dir + "/store")
        let image = try p.pull(try ImageReference("127.0.0.1:\(port)/run/busybox:v1"))
        #expect(image.diffIDs.count == 2)
        let layers = try image.diffIDs.map { p.layerPath(try Digest($0)) }  // base first

        let merged = try rootfs.prepare(id: id, layers: layers)
        #expect(Self.mounts().contains(" \(merged) "))
        var spec = box.spec(["sh", "-c",
                             "cat /etc/hello.txt; cat /etc/second.txt; ls /etc/gone.txt 2>/dev/null || echo gone; echo w > /written"])
        spec.root = Spec.Root(path: merged)
        let (exit, out) = try box.run(spec, id: id)
        #expect(exit.code == 0, "\(out)")
        #expect(out == "hello from layer one\nadded by layer two\ngone\n")
        // The write went to the container's upper, not to the shared layer.
        #expect(FileManager.default.fileExists(atPath: rootfs.directory(id) + "/upper/written"))
        for l in layers { #expect(!FileManager.default.fileExists(atPath: l + "/written")) }
        try? box.runtime.delete(id: id, force: true)

        try rootfs.remove(id: id)
        #expect(!Self.mounts().contains(" \(merged) "))
        #expect(!FileManager.default.fileExists(atPath: rootfs.directory(id)))
        // The image's layers are untouched by the container's life.
        #expect(try String(contentsOfFile: layers[0] + "/etc/hello.txt", encoding: .utf8) == "hello from layer one\n")
    }

    @Test("a manifest naming a blob the registry lost: an error naming the reference and the blob, nothing half-written")
    func missingBlob() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let port = try sb.startRegistry()
        let layout = try sb.buildImage()
        try sb.push(layout, tag: "v1", port: port, repo: "lost/busybox")
        let manifest = try JSONSerialization.jsonObject(with: RegistrySandbox.layoutBlob(layout,
            RegistrySandbox.layoutDescriptor(layout, tag: "v1")["digest"] as! String)) as! [String: Any]
        let layerDigests = (manifest["layers"] as! [[String: Any]]).map { $0["digest"] as! String }
        let lost = try Digest(layerDigests[1])
        // startRegistry's storage: <dir>/registry-<port>/storage.
        let data = sb.dir + "/registry-\(port)/storage/docker/registry/v2/blobs/sha256/"
            + lost.hex.prefix(2) + "/" + lost.hex + "/data"
        try #require(FileManager.default.fileExists(atPath: data), "no blob at \(data)")
        try FileManager.default.removeItem(atPath: data)

        let p = try Self.puller(sb.dir + "/store")
        let ref = try ImageReference("127.0.0.1:\(port)/lost/busybox:v1")
        var message = ""
        do {
            _ = try p.pull(ref)
            Issue.record("pulled an image whose layer blob is gone")
        } catch {
            message = "\(error)"
        }
        #expect(message.contains(lost.description), "\(message)")
        #expect(message.contains("127.0.0.1:\(port)/lost/busybox"), "\(message)")
        #expect(message.contains("127.0.0.1:\(port)/lost/busybox:v1"), "\(message)")

        // Nothing half-written: no record, no partial, no temp layer directory, no layer of the
        // lost blob (the other layer may have completed: it is whole and may stay).
        #expect(!FileManager.default.fileExists(atPath: p.recordPath(ref)))
        #expect(!p.store.has(lost))
        let ingest = (try? FileManager.default.contentsOfDirectory(atPath: p.store.root + "/ingest")) ?? []
        #expect(ingest.filter { $0.hasSuffix(".partial") }.isEmpty, "\(ingest)")
        let layersDir = p.store.root + "/layers/sha256"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: layersDir)) ?? []
        #expect(entries.filter { $0.hasPrefix(".") }.isEmpty, "temp or lock entries left: \(entries)")
        let config = try JSONSerialization.jsonObject(with: RegistrySandbox.layoutBlob(layout,
            (manifest["config"] as! [String: Any])["digest"] as! String)) as! [String: Any]
        let diffIDs = ((config["rootfs"] as! [String: Any])["diff_ids"] as! [String]).map { String($0.dropFirst(7)) }
        #expect(!entries.contains(diffIDs[1]))
        #expect(entries.filter { $0 != diffIDs[0] }.isEmpty, "\(entries)")
    }
}
