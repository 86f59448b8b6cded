import Foundation
import Glibc
@testable import NodeAgent

/// A background process the registry tests start (a registry, a fake); `stop()` kills and
/// reaps it. Output goes to files in the test's temp dir.
final class BackgroundProcess {
    let pid: pid_t
    private var stopped = false

    init(_ path: String, _ args: [String], log: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // A clean signal state: the test process may block or ignore SIGTERM, and a child
        // inheriting that would only stop at the SIGKILL.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, environ)
        guard rc == 0 else { throw ShellError(description: "spawn \(path): errno \(rc)") }
        self.pid = pid
    }

    var isRunning: Bool {
        var status: Int32 = 0
        return !stopped && waitpid(pid, &status, WNOHANG) == 0
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<100 {  // 2 s, then SIGKILL
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    deinit { stop() }
}

/// A temp dir plus the servers one registry test runs; `cleanUp()` (in a defer) stops every
/// server and removes the dir, pass or fail.
final class RegistrySandbox {
    let dir: String
    private var processes: [BackgroundProcess] = []

    init() throws {
        dir = NSTemporaryDirectory() + "swiftlet-registry-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func cleanUp() {
        for p in processes { p.stop() }
        processes = []
        try? FileManager.default.removeItem(atPath: dir)
    }

    deinit { cleanUp() }

    func start(_ path: String, _ args: [String], log: String) throws -> BackgroundProcess {
        let p = try BackgroundProcess(path, args, log: log)
        processes.append(p)
        return p
    }

    func write(_ text: String, to name: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A port nothing listens on right now (bound to 0, then closed).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Waits until `http://127.0.0.1:<port>/v2/` answers (any HTTP status).
    func waitForV2(port: Int, process: BackgroundProcess, log: String) throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            guard process.isRunning else {
                throw ShellError(description: "server on port \(port) exited: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            if case .success = RegistryHTTP.perform(method: "GET", url: "http://127.0.0.1:\(port)/v2/", headers: [],
                                                     options: RegistryHTTPOptions(connectTimeoutMs: 500)) {
                return
            }
            usleep(50_000)
        }
        throw ShellError(description: "server on port \(port) did not answer /v2/ in time")
    }

    /// Debian's docker-registry on 127.0.0.1:<free port>, storage in the temp dir, optionally
    /// with htpasswd auth (bcrypt entries written with Python's bcrypt). Returns the port.
    /// With `tokenUser` ("user:password"): `auth: token` against Tests/Fixtures/token_server.py,
    /// whose port and request log come back too.
    func startRegistry(htpasswd: (user: String, password: String)? = nil) throws -> Int {
        try startRegistry(htpasswd: htpasswd, tokenUser: nil).port
    }

    func startRegistry(htpasswd: (user: String, password: String)? = nil,
                       tokenUser: String?) throws -> (port: Int, tokenLog: String) {
        let port = RegistrySandbox.freePort()
        let name = "registry-\(port)"
        try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: true)
        var auth = ""
        var tokenLog = ""
        if let tokenUser {
            let base = dir + "/" + name + "/token"
            tokenLog = base + ".requests"
            FileManager.default.createFile(atPath: tokenLog, contents: nil)
            let p = try start("/usr/bin/python3", [Fixture.packageRoot + "/Tests/Fixtures/token_server.py", "--cert", base + ".pem",
                                                  "--port-file", base + ".port", "--log", tokenLog, "--user", tokenUser],
                              log: base + ".log")
            var tokenPort: Int?
            let deadline = Date().addingTimeInterval(10)
            while tokenPort == nil && Date() < deadline && p.isRunning {
                tokenPort = (try? String(contentsOfFile: base + ".port", encoding: .utf8)).flatMap { Int($0) }
                if tokenPort == nil { usleep(20_000) }
            }
            guard let tokenPort else {
                throw ShellError(description: "token server did not start: \((try? String(contentsOfFile: base + ".log", encoding: .utf8)) ?? "")")
            }
            auth = """
            auth:
              token:
                realm: http://127.0.0.1:\(tokenPort)/token
                service: swiftlet-registry
                issuer: swiftlet-test-issuer
                rootcertbundle: \(base).pem

            """
        }
        if let htpasswd {
            let hash = try shell("/usr/bin/python3", ["-c", "import bcrypt,sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(rounds=4)).decode())", htpasswd.password])
            let file = try write(htpasswd.user + ":" + hash.trimmingCharacters(in: .whitespacesAndNewlines) + "\n", to: name + "/htpasswd")
            auth = "auth:\n  htpasswd:\n    realm: swiftlet-test\n    path: \(file)\n"
        }
        let config = try write("""
        version: 0.1
        log:
          level: error
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: \(dir)/\(name)/storage
        http:
          addr: 127.0.0.1:\(port)
        \(auth)
        """, to: name + "/config.yml")
        let log = dir + "/" + name + "/log"
        let p = try start("/usr/bin/docker-registry", ["serve", config], log: log)
        try waitForV2(port: port, process: p, log: log)
        return (port, tokenLog)
    }

    /// Tests/Fixtures/fake_registry.py serving `layout`; returns its port and request log path.
    func startFake(layout: String, extra: [String] = []) throws -> (port: Int, log: String) {
        let tag = "fake-\(UInt32.random(in: 0...UInt32.max))"
        let portFile = dir + "/" + tag + ".port", requests = dir + "/" + tag + ".requests", log = dir + "/" + tag + ".log"
        FileManager.default.createFile(atPath: requests, contents: nil)
        let p = try start("/usr/bin/python3", [Fixture.packageRoot + "/Tests/Fixtures/fake_registry.py",
                                              "--layout", layout, "--port-file", portFile, "--log", requests] + extra, log: log)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text) {
                try waitForV2(port: port, process: p, log: log)
                return (port, requests)
            }
            guard p.isRunning else { throw ShellError(description: "fake registry exited: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
            usleep(20_000)
        }
        throw ShellError(description: "fake registry did not start")
    }

    /// A request log (the fake's, the token server's): one dictionary per request.
    static func requests(_ log: String) -> [[String: String]] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.map { $0.compactMapValues { $0 as? String } }
    }

    // MARK: images

    /// An OCI layout at `<dir>/<name>` with tag `tag`: busybox-static plus two layers, the
    /// second deleting /etc/gone.txt (a whiteout) and adding /etc/second.txt.
    func buildImage(_ name: String = "layout", tag: String = "v1", architecture: String? = nil) throws -> String {
        let layout = dir + "/" + name
        let bundle = dir + "/bundle-\(UInt32.random(in: 0...UInt32.max))"
        let umoci = "/usr/bin/umoci"
        if !FileManager.default.fileExists(atPath: layout + "/index.json") {
            try shell(umoci, ["init", "--layout", layout])
        }
        try shell(umoci, ["new", "--image", layout + ":" + tag])
        if let architecture {
            try shell(umoci, ["config", "--image", layout + ":" + tag, "--architecture", architecture])
        }
        try shell(umoci, ["unpack", "--image", layout + ":" + tag, bundle])
        let rootfs = bundle + "/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: rootfs + "/etc", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin/sh", withDestinationPath: "busybox")
        try "hello from layer one\n".write(toFile: rootfs + "/etc/hello.txt", atomically: true, encoding: .utf8)
        try "deleted by layer two\n".write(toFile: rootfs + "/etc/gone.txt", atomically: true, encoding: .utf8)
        try shell(umoci, ["repack", "--image", layout + ":" + tag, bundle])
        try FileManager.default.removeItem(atPath: bundle)
        try shell(umoci, ["unpack", "--image", layout + ":" + tag, bundle])
        try FileManager.default.removeItem(atPath: bundle + "/rootfs/etc/gone.txt")
        try "added by layer two\n".write(toFile: bundle + "/rootfs/etc/second.txt", atomically: true, encoding: .utf8)
        try shell(umoci, ["repack", "--image", layout + ":" + tag, bundle])
        try FileManager.default.removeItem(atPath: bundle)
        return layout
    }

    /// The manifest descriptor `tag` names in an OCI layout's index.json.
    static func layoutDescriptor(_ layout: String, tag: String) throws -> [String: Any] {
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json"))) as! [String: Any]
        for m in index["manifests"] as! [[String: Any]] {
            if (m["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == tag { return m }
        }
        throw ShellError(description: "no tag \(tag) in \(layout)")
    }

    static func layoutBlob(_ layout: String, _ digest: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: layout + "/blobs/sha256/" + digest.dropFirst("sha256:".count)))
    }

    /// Adds an image index tagged `tag` to the layout listing `entries` (tag, platform).
    func addIndex(_ layout: String, tag: String, entries: [(tag: String, os: String, architecture: String)]) throws {
        var manifests: [[String: Any]] = []
        for e in entries {
            let d = try RegistrySandbox.layoutDescriptor(layout, tag: e.tag)
            manifests.append(["mediaType": d["mediaType"]!, "digest": d["digest"]!, "size": d["size"]!,
                              "platform": ["os": e.os, "architecture": e.architecture]])
        }
        let body = try JSONSerialization.data(withJSONObject: ["schemaVersion": 2, "mediaType": RegistryMediaType.ociIndex,
                                                               "manifests": manifests], options: [.sortedKeys])
        let digest = Digest.sha256(of: Array(body))
        try body.write(to: URL(fileURLWithPath: layout + "/blobs/sha256/" + digest.hex))
        let indexURL = URL(fileURLWithPath: layout + "/index.json")
        var index = try JSONSerialization.jsonObject(with: Data(contentsOf: indexURL)) as! [String: Any]
        var list = index["manifests"] as! [[String: Any]]
        list.append(["mediaType": RegistryMediaType.ociIndex, "digest": digest.description, "size": body.count,
                     "annotations": ["org.opencontainers.image.ref.name": tag]])
        index["manifests"] = list
        try JSONSerialization.data(withJSONObject: index).write(to: indexURL)
    }

    /// skopeo copy of `layout:tag` to the registry on loopback (plain HTTP).
    func push(_ layout: String, tag: String, port: Int, repo: String, creds: String? = nil, all: Bool = false) throws {
        var args = ["--insecure-policy", "copy", "--dest-tls-verify=false"]
        if let creds { args += ["--dest-creds", creds] }
        if all { args += ["--multi-arch", "all"] }
        args += ["oci:" + layout + ":" + tag, "docker://127.0.0.1:\(port)/\(repo):\(tag)"]
        try shell("/usr/bin/skopeo", args)
    }
}

/// A client for loopback test registries: quick retries so failure tests stay fast.
func testClient(credentials: RegistryCredentials = RegistryCredentials()) -> RegistryClient {
    var c = RegistryConfiguration(credentials: credentials)
    c.maxAttempts = 3
    c.retryDelayMs = 20
    c.connectTimeoutMs = 2000
    c.lowSpeedSeconds = 10
    return RegistryClient(configuration: c)
}
