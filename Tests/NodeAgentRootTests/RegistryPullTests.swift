import Foundation
import Glibc
import Synchronization
import Testing
@testable import NodeAgent

/// The distribution client against Debian's docker-registry (and a Python fake where a real
/// registry cannot misbehave on cue), with images built by umoci and pushed by skopeo.
// Needs root (whiteout devices), docker-registry, skopeo, umoci, python3-bcrypt (`make deps`).
@Suite("Registry pull (root)", .serialized)
struct RegistryPullTests {
    func store(_ sb: RegistrySandbox) throws -> BlobStore { try BlobStore(root: sb.dir + "/store") }

    func puller(_ sb: RegistrySandbox, client: RegistryClient = testClient()) throws -> ImagePuller {
        ImagePuller(store: try store(sb), client: client, platform: RegistryPlatform(os: "linux", architecture: "amd64"))
    }

    func st(_ path: String) -> stat? {
        var s = stat()
        return lstat(path, &s) == 0 ? s : nil
    }

    /// Nothing half-written: no record, no partials, no temp layer dirs or lock files, and only
    /// whole layers (another layer of a failed pull may have completed: it is whole and kept).
    func expectNothingStored(_ p: ImagePuller, _ ref: ImageReference, layers allowed: Set<String> = []) {
        #expect(!FileManager.default.fileExists(atPath: p.recordPath(ref)))
        let ingest = (try? FileManager.default.contentsOfDirectory(atPath: p.store.root + "/ingest")) ?? []
        #expect(ingest.filter { $0.hasSuffix(".partial") }.isEmpty, "\(ingest)")
        let layers = (try? FileManager.default.contentsOfDirectory(atPath: p.store.root + "/layers/sha256")) ?? []
        #expect(layers.filter { !allowed.contains($0) }.isEmpty, "\(layers)")
    }

    func checkUnpacked(_ p: ImagePuller, _ image: PulledImage) throws {
        #expect(image.diffIDs.count == 2)
        for d in image.layerDigests { #expect(try p.store.verify(Digest(d))) }
        let l1 = p.layerPath(try Digest(image.diffIDs[0])), l2 = p.layerPath(try Digest(image.diffIDs[1]))
        #expect(try String(contentsOfFile: l1 + "/etc/hello.txt", encoding: .utf8) == "hello from layer one\n")
        #expect(st(l1 + "/bin/busybox")?.st_size == st("/bin/busybox")?.st_size)
        #expect(try String(contentsOfFile: l2 + "/etc/second.txt", encoding: .utf8) == "added by layer two\n")
        let wh = try #require(st(l2 + "/etc/gone.txt"), "the whiteout")
        #expect(wh.st_mode & S_IFMT == S_IFCHR)
        #expect(wh.st_rdev == 0)
    }

    @Test func pullByTagAndByDigest() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let port = try sb.startRegistry()
        let layout = try sb.buildImage()
        try sb.push(layout, tag: "v1", port: port, repo: "test/busybox")
        let p = try puller(sb)
        let ref = try ImageReference("127.0.0.1:\(port)/test/busybox:v1")
        let seen = Mutex<[Digest: (Int64, Int64)]>([:])
        let image = try p.pull(ref) { progress in seen.withLock { $0[progress.layer] = (progress.done, progress.total) } }
        #expect(image.reference == "127.0.0.1:\(port)/test/busybox:v1")
        #expect(image.digest == image.manifestDigest)
        #expect(image.manifestDigest == (try RegistrySandbox.layoutDescriptor(layout, tag: "v1"))["digest"] as? String)
        #expect(p.record(ref) == image)
        try checkUnpacked(p, image)
        let finals = seen.withLock { $0 }
        #expect(finals.count == 2)
        for (digest, (done, total)) in finals {
            #expect(done == total)
            #expect(total == (try p.store.size(of: digest)))
        }

        // By digest: the same image, its own record; nothing downloaded again.
        let byDigest = try ImageReference("127.0.0.1:\(port)/test/busybox@" + image.manifestDigest)
        let again = try p.pull(byDigest)
        #expect(again.diffIDs == image.diffIDs)
        #expect(p.record(byDigest)?.manifestDigest == image.manifestDigest)

        // HEAD resolves the tag to the same digest.
        let head = try p.client.resolve(ref)
        #expect(head.digest?.description == image.manifestDigest)

        // Two pulls of a fresh store at once share the work and agree.
        let p2 = ImagePuller(store: try BlobStore(root: sb.dir + "/store2"), client: testClient(),
                             platform: RegistryPlatform(os: "linux", architecture: "amd64"))
        let results = Mutex<[Result<PulledImage, RegistryError>]>([])
        runOnThreads(count: 2, width: 2) { _ in
            let r: Result<PulledImage, RegistryError>
            do throws(RegistryError) { r = .success(try p2.pull(ref)) } catch { r = .failure(error) }
            results.withLock { $0.append(r) }
        }
        for r in results.withLock({ $0 }) { #expect(try r.get() == image) }
        try checkUnpacked(p2, image)
    }

    @Test("swiftlet images pull and list, through the binary (libcurl loaded at run time)")
    func imagesCLI() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let port = try sb.startRegistry()
        try sb.push(try sb.buildImage(), tag: "v1", port: port, repo: "cli/busybox")
        let root = sb.dir + "/cli-store"
        let ref = "127.0.0.1:\(port)/cli/busybox:v1"
        let pulled = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", root, "pull", ref])
        #expect(pulled.code == 0, "\(pulled)")
        #expect(pulled.out.hasPrefix(ref + " sha256:"), "\(pulled.out)")
        let listed = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", root, "list"])
        #expect(listed.code == 0 && listed.out.contains(ref), "\(listed)")
        let missing = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", root, "pull", "127.0.0.1:\(port)/cli/busybox:nope"])
        #expect(missing.code != 0 && missing.err.contains("not found: 127.0.0.1:\(port)/cli/busybox:nope"), "\(missing)")
    }

    @Test("images pull --creds and --auth-file reach a registry behind basic auth")
    func imagesCLICredentials() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let port = try sb.startRegistry(htpasswd: ("alice", "wonderland"))
        try sb.push(try sb.buildImage(), tag: "v1", port: port, repo: "private/cli", creds: "alice:wonderland")
        let ref = "127.0.0.1:\(port)/private/cli:v1"
        let root = sb.dir + "/cli-auth-store"
        let anonymous = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", root, "pull", ref])
        #expect(anonymous.code != 0 && anonymous.err.contains(ref), "\(anonymous)")
        let withCreds = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", root, "pull", "--creds", "alice:wonderland", ref])
        #expect(withCreds.code == 0, "\(withCreds)")
        let auth = Data("alice:wonderland".utf8).base64EncodedString()
        let config = try sb.write("{\"auths\": {\"127.0.0.1:\(port)\": {\"auth\": \"\(auth)\"}}}", to: "config.json")
        let other = sb.dir + "/cli-auth-store-2"
        let withFile = try spawnAndWait(RuntimeCLITests.swiftletBinary, ["images", "--root", other, "pull", "--auth-file", config, ref])
        #expect(withFile.code == 0, "\(withFile)")
    }

    @Test("prune deletes exactly what no image references")
    func pruneKeepsReferencedOnly() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let port = try sb.startRegistry()
        try sb.push(try sb.buildImage("one"), tag: "v1", port: port, repo: "gc/one")
        try sb.push(try sb.buildImage("two", tag: "v2"), tag: "v2", port: port, repo: "gc/two")
        let p = try puller(sb)
        let one = try p.pull(try ImageReference("127.0.0.1:\(port)/gc/one:v1"))
        let two = try p.pull(try ImageReference("127.0.0.1:\(port)/gc/two:v2"))
        #expect(try p.prune() == ImagePuller.PruneResult(blobs: [], layers: []))

        try p.remove(try ImageReference("127.0.0.1:\(port)/gc/one:v1"))
        let result = try p.prune()
        let keptBlobs = Set([two.digest, two.manifestDigest, two.config] + two.layerDigests)
        let expectedBlobs = Set([one.digest, one.manifestDigest, one.config] + one.layerDigests).subtracting(keptBlobs)
        #expect(Set(result.blobs) == expectedBlobs)
        #expect(Set(result.layers) == Set(one.diffIDs).subtracting(two.diffIDs))
        for d in keptBlobs { #expect(p.store.has(try Digest(d))) }
        for d in two.diffIDs { #expect(FileManager.default.fileExists(atPath: p.layerPath(try Digest(d)))) }
        for d in expectedBlobs { #expect(!p.store.has(try Digest(d))) }
        #expect(throws: RegistryError.notFound(reference: "127.0.0.1:\(port)/gc/one:v1")) {
            try p.remove(try ImageReference("127.0.0.1:\(port)/gc/one:v1"))
        }
    }

    @Test func multiPlatformIndexPicksLinuxAmd64() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let port = try sb.startRegistry()
        let layout = try sb.buildImage(tag: "amd")
        _ = try sb.buildImage(tag: "arm", architecture: "arm64")
        // arm64 first: the pick is by platform, not position.
        try sb.addIndex(layout, tag: "multi", entries: [("arm", "linux", "arm64"), ("amd", "linux", "amd64")])
        try sb.push(layout, tag: "multi", port: port, repo: "multi", all: true)
        let p = try puller(sb)
        let ref = try ImageReference("127.0.0.1:\(port)/multi:multi")
        let image = try p.pull(ref)
        let amd = try RegistrySandbox.layoutDescriptor(layout, tag: "amd")["digest"] as! String
        #expect(image.manifestDigest == amd)
        #expect(image.digest != amd)  // the index's
        let config = try JSONDecoder().decode(RegistryImageConfig.self, from: Data(p.store.read(Digest(image.config))))
        #expect(config.architecture == "amd64")
        try checkUnpacked(p, image)

        // A platform the index lacks: a clear error naming what it has.
        let s390 = ImagePuller(store: try BlobStore(root: sb.dir + "/store-s390x"), client: testClient(),
                               platform: RegistryPlatform(os: "linux", architecture: "s390x"))
        #expect {
            try s390.pull(ref)
        } throws: { error in
            let text = "\(error)"
            return text.contains("linux/s390x") && text.contains("linux/arm64") && text.contains("linux/amd64")
                && text.contains("127.0.0.1:\(port)/multi:multi")
        }
        expectNothingStored(s390, ref)
    }

    @Test func basicAuthWithCredentialsAndWithout() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let port = try sb.startRegistry(htpasswd: ("alice", "wonderland"))
        let layout = try sb.buildImage()
        try sb.push(layout, tag: "v1", port: port, repo: "private", creds: "alice:wonderland")
        let ref = try ImageReference("127.0.0.1:\(port)/private:v1")

        // Without credentials: refused, naming the reference; nothing stored.
        let anonymous = try puller(sb)
        #expect {
            try anonymous.pull(ref)
        } throws: { error in
            guard case RegistryError.unauthorized = error else { return false }
            return "\(error)".contains("127.0.0.1:\(port)/private:v1")
        }
        expectNothingStored(anonymous, ref)

        // A wrong password: refused too.
        let wrong = RegistryCredentials(["127.0.0.1:\(port)": RegistryCredential(username: "alice", password: "nope")])
        #expect(throws: RegistryError.self) { try puller(sb, client: testClient(credentials: wrong)).pull(ref) }

        // From a docker config.json (base64 `auth`) and from a pull secret (username/password).
        let auth = Data("alice:wonderland".utf8).base64EncodedString()
        let config = try RegistryCredentials(dockerConfigJSON: Array(#"{"auths":{"http://127.0.0.1:\#(port)/v2/":{"auth":"\#(auth)"}}}"#.utf8))
        let image = try puller(sb, client: testClient(credentials: config)).pull(ref)
        try checkUnpacked(try puller(sb), image)
        let secret = try RegistryCredentials(kubernetesSecretData: [
            ".dockerconfigjson": Array(#"{"auths":{"127.0.0.1:\#(port)":{"username":"alice","password":"wonderland"}}}"#.utf8),
        ])
        let other = ImagePuller(store: try BlobStore(root: sb.dir + "/store2"), client: testClient(credentials: secret),
                                platform: RegistryPlatform(os: "linux", architecture: "amd64"))
        #expect(try other.pull(ref).manifestDigest == image.manifestDigest)
    }

    @Test func bearerTokenFlowAgainstRealRegistry() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let (port, tokenLog) = try sb.startRegistry(tokenUser: "bob:builder")
        let layout = try sb.buildImage()
        try sb.push(layout, tag: "v1", port: port, repo: "team/app", creds: "bob:builder")
        let ref = try ImageReference("127.0.0.1:\(port)/team/app:v1")

        // Anonymous: the token server refuses, and the error names the reference.
        let anonymous = try puller(sb)
        #expect {
            try anonymous.pull(ref)
        } throws: { error in
            guard case RegistryError.unauthorized = error else { return false }
            return "\(error)".contains("127.0.0.1:\(port)/team/app:v1")
        }
        expectNothingStored(anonymous, ref)

        let before = RegistrySandbox.requests(tokenLog).count
        let creds = RegistryCredentials(["127.0.0.1:\(port)": RegistryCredential(username: "bob", password: "builder")])
        let p = try puller(sb, client: testClient(credentials: creds))
        let image = try p.pull(ref)
        try checkUnpacked(p, image)
        let ours = RegistrySandbox.requests(tokenLog).dropFirst(before)
        // One token, asked with Basic credentials for the pull scope and the registry's service.
        #expect(ours.count == 1)
        #expect(ours.first?["path"]?.contains("scope=repository%3Ateam%2Fapp%3Apull") == true)
        #expect(ours.first?["path"]?.contains("service=swiftlet-registry") == true)
        #expect(ours.first?["authorization"] == RegistryCredential(username: "bob", password: "builder").basicAuthorization)
    }

    @Test func bearerTokenFlowAgainstFake() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let layout = try sb.buildImage()
        let fake = try sb.startFake(layout: layout, extra: ["--bearer", "bob:builder"])
        let ref = try ImageReference("127.0.0.1:\(fake.port)/team/app:v1")

        #expect {
            try puller(sb).pull(ref)
        } throws: { error in
            guard case RegistryError.unauthorized = error else { return false }
            return "\(error)".contains("127.0.0.1:\(fake.port)/team/app:v1")
        }

        let creds = RegistryCredentials(["127.0.0.1:\(fake.port)": RegistryCredential(username: "bob", password: "builder")])
        let p = try puller(sb, client: testClient(credentials: creds))
        let image = try p.pull(ref)
        try checkUnpacked(p, image)
        let requests = RegistrySandbox.requests(fake.log)
        let tokenRequests = requests.filter { $0["path"]!.hasPrefix("/token") }
        #expect(tokenRequests.contains { $0["path"]!.contains("scope=repository%3Ateam%2Fapp%3Apull") && $0["path"]!.contains("service=fake") })
        #expect(requests.contains { $0["path"]!.contains("/blobs/") && $0["authorization"] == "Bearer s3cr3t-token" })
        // The token is cached: one successful token fetch for the whole pull.
        #expect(tokenRequests.filter { $0["authorization"] != nil }.count == 1)
    }

    @Test func badInputLeavesNothingHalfWritten() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let port = try sb.startRegistry()
        let layout = try sb.buildImage()
        try sb.push(layout, tag: "v1", port: port, repo: "x")
        let p = try puller(sb)

        // A missing tag.
        let missing = try ImageReference("127.0.0.1:\(port)/x:nope")
        #expect(throws: RegistryError.notFound(reference: "127.0.0.1:\(port)/x:nope")) { try p.pull(missing) }
        #expect("\(RegistryError.notFound(reference: missing.description))" == "not found: 127.0.0.1:\(port)/x:nope")
        expectNothingStored(p, missing)

        // A registry that is not there: names the host and curl's error.
        let closed = RegistrySandbox.freePort()
        let unreachable = try ImageReference("127.0.0.1:\(closed)/x:v1")
        #expect {
            try p.pull(unreachable)
        } throws: { error in
            guard case RegistryError.unreachable(let host, _, let message) = error else { return false }
            return host == "127.0.0.1:\(closed)" && message.contains("onnect") && "\(error)".contains("127.0.0.1:\(closed)")
        }

        // A blob whose bytes do not match its digest.
        let manifest = try JSONSerialization.jsonObject(with: RegistrySandbox.layoutBlob(layout,
            RegistrySandbox.layoutDescriptor(layout, tag: "v1")["digest"] as! String)) as! [String: Any]
        let layer0 = (manifest["layers"] as! [[String: Any]])[0]["digest"] as! String
        let corrupt = try sb.startFake(layout: layout, extra: ["--corrupt", layer0])
        let corruptRef = try ImageReference("127.0.0.1:\(corrupt.port)/x:v1")
        let pc = ImagePuller(store: try BlobStore(root: sb.dir + "/store-corrupt"), client: testClient(),
                             platform: RegistryPlatform(os: "linux", architecture: "amd64"))
        #expect {
            try pc.pull(corruptRef)
        } throws: { error in
            guard case RegistryError.blobStore(_, .digestMismatch(let expected, _)) = error else { return false }
            return expected.description == layer0 && "\(error)".contains("127.0.0.1:\(corrupt.port)/x")
        }
        #expect(!pc.store.has(try Digest(layer0)))
        let config = try JSONSerialization.jsonObject(with: RegistrySandbox.layoutBlob(layout,
            (manifest["config"] as! [String: Any])["digest"] as! String)) as! [String: Any]
        let diffIDs = ((config["rootfs"] as! [String: Any])["diff_ids"] as! [String]).map { String($0.dropFirst(7)) }
        expectNothingStored(pc, corruptRef, layers: [diffIDs[1]])  // the good layer may be whole

        // An unknown manifest media type.
        let weird = try ImageReference("127.0.0.1:\(corrupt.port)/x:weird")
        #expect(throws: RegistryError.unsupportedMediaType(reference: weird.description,
                                                           mediaType: "application/vnd.example.unknown+json")) {
            try pc.pull(weird)
        }
        expectNothingStored(pc, weird, layers: [diffIDs[1]])
    }

    @Test(arguments: [false, true])
    func cutDownloadResumesWithRange(serverIgnoresRange: Bool) throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let layout = try sb.buildImage()
        let manifest = try JSONSerialization.jsonObject(with: RegistrySandbox.layoutBlob(layout,
            RegistrySandbox.layoutDescriptor(layout, tag: "v1")["digest"] as! String)) as! [String: Any]
        let layer = (manifest["layers"] as! [[String: Any]])[0]
        let digest = layer["digest"] as! String, size = layer["size"] as! Int
        let cutAt = size / 2
        // A server that ignores the range sends the whole blob again: the prefix we hold is skipped.
        let fake = try sb.startFake(layout: layout, extra: ["--cut", "\(digest):\(cutAt)"] + (serverIgnoresRange ? ["--ignore-range"] : []))
        let p = try puller(sb)
        let image = try p.pull(try ImageReference("127.0.0.1:\(fake.port)/x:v1"))
        try checkUnpacked(p, image)
        let gets = RegistrySandbox.requests(fake.log).filter { $0["path"] == "/v2/x/blobs/" + digest }
        #expect(gets.count == 2)
        #expect(gets.first?["range"] == nil)
        #expect(gets.last?["range"] == "bytes=\(cutAt)-")

        // A partial left by an earlier process is resumed the same way.
        let store2 = try BlobStore(root: sb.dir + "/store2")
        let layerBytes = Array(try RegistrySandbox.layoutBlob(layout, digest))
        guard case .writer(let w) = try store2.beginIngest(try Digest(digest), size: Int64(size)) else {
            Issue.record("blob unexpectedly present"); return
        }
        try w.write(Array(layerBytes[0..<1000]))
        w.close()
        let ref = try ImageReference("127.0.0.1:\(fake.port)/x:v1")
        #expect(try testClient().fetchBlob(ref, digest: try Digest(digest), size: Int64(size), into: store2) == Int64(size))
        #expect(try store2.verify(try Digest(digest)))
        #expect(RegistrySandbox.requests(fake.log).last?["range"] == "bytes=1000-")
    }

    @Test func transientErrorsAreRetriedAndRedirectsFollowed() throws {
        let sb = try RegistrySandbox()
        defer { sb.cleanUp() }
        let layout = try sb.buildImage()
        let fake = try sb.startFake(layout: layout, extra: ["--flaky", "2", "--redirect"])
        let p = try puller(sb)
        let image = try p.pull(try ImageReference("127.0.0.1:\(fake.port)/x:v1"))
        try checkUnpacked(p, image)
        let requests = RegistrySandbox.requests(fake.log)
        #expect(requests.filter { $0["path"] == "/v2/x/manifests/v1" }.count == 3)  // 503, 503, 200
        #expect(requests.filter { $0["path"]!.hasPrefix("/storage/") }.count == 3)  // config + 2 layers

        // More 503s than attempts: the registry's error, naming the reference.
        let worse = try sb.startFake(layout: layout, extra: ["--flaky", "10"])
        #expect {
            try p.pull(try ImageReference("127.0.0.1:\(worse.port)/x:v1"))
        } throws: { error in
            guard case RegistryError.http(503, let r, let message) = error else { return false }
            return r == "127.0.0.1:\(worse.port)/x:v1" && message.contains("try again")
        }
    }
}
