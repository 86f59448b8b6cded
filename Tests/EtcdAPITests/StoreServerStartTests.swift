import Foundation
import Glibc
import Testing
@testable import EtcdAPI
import Store

@Suite("swiftlet store start-up")
struct StoreServerStartTests {
    @Test("a member started on another cluster's data dir refuses to start")
    func foreignDataDir() async throws {
        let dir = try TempDir("foreign")
        defer { dir.remove() }
        let ports = try freePorts(2)
        let first = MemberProcess(.swiftlet, name: "a", clientPort: ports[0], peerPort: ports[1],
                                  dataDir: dir.path + "/data", logDir: dir)
        defer { first.stop(SIGKILL) }
        try first.start(token: "cluster-one")
        try await first.waitReady()
        #expect(first.stop() == 0)

        let second = MemberProcess(.swiftlet, name: "a", clientPort: ports[0], peerPort: ports[1],
                                   dataDir: dir.path + "/data", logDir: dir)
        defer { second.stop(SIGKILL) }
        try second.start(token: "cluster-two")
        let code = second.process?.wait()
        #expect(code != 0 && code != nil)
        #expect(second.process?.errors.contains("swiftlet store: cannot start the store member") == true,
                "stderr: \(second.process?.errors ?? "")")
    }

    @Test("flags are checked as etcd checks them")
    func badFlags() throws {
        var o = StoreServerOptions()
        o.electionTimeout = 200
        #expect(throws: StoreServerError.self) { try o.memberConfig() }
        o = StoreServerOptions()
        o.name = "x"
        o.initialCluster = "y=http://127.0.0.1:2380"
        #expect(throws: StoreServerError.self) { try o.memberConfig() }
        o = StoreServerOptions()
        o.listenClientURLs = "127.0.0.1:2379"
        #expect(throws: StoreServerError.self) { try o.clientListenURLs() }
        o = StoreServerOptions()
        let c = try o.memberConfig()
        #expect(c.dataDir == "default.etcd" && c.tickMilliseconds == 100 && c.electionTicks == 10)
        #expect(c.initialCluster.first?.peerURLs == ["http://localhost:2380"])
    }

    @Test("etcd URLs parse as etcd's flags take them")
    func urls() {
        #expect(EtcdURL("http://127.0.0.1:2379") == EtcdURL(host: "127.0.0.1", port: 2379))
        #expect(EtcdURL("https://[::1]:2379/")?.description == "https://[::1]:2379")
        #expect(EtcdURL("127.0.0.1:2379") == nil)
        #expect(EtcdURL("http://host:99999") == nil)
        #expect(EtcdURL("http://host:1/path") == nil)
        #expect(EtcdURL.list("http://a:1, http://b:2")?.count == 2)
    }
}
