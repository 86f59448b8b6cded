import Foundation
import Glibc
@testable import EtcdAPI
import Store

/// One member process: `swiftlet store` or a real `etcd`, with etcd's flags, on loopback ports.
final class MemberProcess: @unchecked Sendable {
    enum Kind { case swiftlet, etcd }
    let kind: Kind
    let name: String
    let clientPort: Int
    let peerPort: Int
    let dataDir: String
    let logDir: TempDir
    var process: Spawned?

    var clientURL: String { "http://127.0.0.1:\(clientPort)" }
    var peerURL: String { "http://127.0.0.1:\(peerPort)" }

    init(_ kind: Kind, name: String, clientPort: Int, peerPort: Int, dataDir: String, logDir: TempDir) {
        self.kind = kind
        self.name = name
        self.clientPort = clientPort
        self.peerPort = peerPort
        self.dataDir = dataDir
        self.logDir = logDir
    }

    func arguments(initialCluster: String, state: String, token: String, extra: [String]) -> [String] {
        var args = kind == .swiftlet ? ["store"] : []
        args += ["--name", name, "--data-dir", dataDir,
                 "--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
                 "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
                 "--initial-cluster", initialCluster, "--initial-cluster-state", state,
                 "--initial-cluster-token", token]
        return args + extra
    }

    func start(initialCluster: String? = nil, state: String = "new", token: String = "test-cluster", extra: [String] = []) throws {
        let args = arguments(initialCluster: initialCluster ?? "\(name)=\(peerURL)", state: state, token: token, extra: extra)
        let tag = UInt32.random(in: 0...UInt32.max)
        process = try Spawned(kind == .swiftlet ? swiftletBinary : etcdBinary, args,
                              outPath: "\(logDir.path)/\(name)-\(tag).out", errPath: "\(logDir.path)/\(name)-\(tag).err")
    }

    /// Waits until the member answers a linearizable read (so it has a leader).
    func waitReady(seconds: Double = 20) async throws {
        let client = try EtcdClient(endpoints: [clientURL])
        defer { client.close() }
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            if let code = process?.exitCode() {
                throw TestFailure(description: "\(name) exited with \(code): \(process?.errors.suffix(2000) ?? "")")
            }
            do {
                _ = try await client.range(RangeRequest(key: Array("ready".utf8)))
                return
            } catch { last = "\(error)" }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure(description: "\(name) not ready after \(seconds)s: \(last); stderr: \(process?.errors.suffix(2000) ?? "")")
    }

    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) -> Int32? { process?.stop(signal) }
}

/// etcdctl (ETCDCTL_API=3) against `endpoints`.
func etcdctl(_ endpoints: [String], _ args: [String], stdin: String? = nil, in dir: TempDir) throws -> (code: Int32, out: String, err: String) {
    try run(etcdctlBinary, ["--endpoints=\(endpoints.joined(separator: ","))", "--command-timeout=10s"] + args,
            stdin: stdin, environment: ["ETCDCTL_API": "3"], in: dir)
}

/// etcdctl that must succeed; returns stdout.
@discardableResult
func etcdctlOK(_ endpoints: [String], _ args: [String], stdin: String? = nil, in dir: TempDir) throws -> String {
    let r = try etcdctl(endpoints, args, stdin: stdin, in: dir)
    guard r.code == 0 else { throw TestFailure(description: "etcdctl \(args.joined(separator: " ")): exit \(r.code): \(r.err)") }
    return r.out
}

func jsonObject(_ text: String) throws -> [String: Any] {
    guard let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw TestFailure(description: "not a JSON object: \(text)")
    }
    return o
}

func base64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
