import Dispatch
import Glibc
import Logging
import Store
import Synchronization

/// `swiftlet store`: one store member (StoreMember) serving the etcd v3 API on its client URLs, until
/// SIGTERM or SIGINT (then a graceful stop: in-flight requests finish, a leader hands over), or until
/// the member stops on its own (removed from the cluster, disk failure).
public struct StoreServerOptions: Sendable {
    public var name = "default"
    /// etcd's default is "<name>.etcd".
    public var dataDir: String?
    public var listenClientURLs = "http://localhost:2379"
    public var advertiseClientURLs = "http://localhost:2379"
    public var listenPeerURLs = "http://localhost:2380"
    public var initialAdvertisePeerURLs = "http://localhost:2380"
    /// etcd's default is "<name>=<initial-advertise-peer-urls>".
    public var initialCluster: String?
    public var initialClusterState = "new"
    public var initialClusterToken = "etcd-cluster"
    public var snapshotCount: UInt64 = 100_000
    /// Milliseconds, as etcd's flags.
    public var heartbeatInterval = 100
    public var electionTimeout = 1000
    public var maxRequestBytes = EtcdRequestLimits.defaultMaxRequestBytes

    public init() {}

    /// The member configuration these flags describe, with etcd's checks on them.
    public func memberConfig() throws(StoreServerError) -> StoreMemberConfig {
        guard EtcdURL.list(listenClientURLs) != nil else { throw .badFlag("--listen-client-urls", listenClientURLs) }
        guard let advertiseClient = EtcdURL.list(advertiseClientURLs) else {
            throw .badFlag("--advertise-client-urls", advertiseClientURLs)
        }
        guard let listenPeer = EtcdURL.list(listenPeerURLs), listenPeer.count == 1 else {
            throw .badFlag("--listen-peer-urls", "\(listenPeerURLs) (exactly one URL is supported)")
        }
        guard let advertisePeer = EtcdURL.list(initialAdvertisePeerURLs) else {
            throw .badFlag("--initial-advertise-peer-urls", initialAdvertisePeerURLs)
        }
        guard let state = StoreMemberConfig.ClusterState(rawValue: initialClusterState) else {
            throw .badFlag("--initial-cluster-state", "\(initialClusterState) (new or existing)")
        }
        guard heartbeatInterval > 0, electionTimeout >= 5 * heartbeatInterval else {
            // etcd: "--election-timeout should be at least as 5 times as --heartbeat-interval".
            throw .badFlag("--election-timeout", "\(electionTimeout) must be at least 5 times --heartbeat-interval (\(heartbeatInterval))")
        }
        guard maxRequestBytes > 0 else { throw .badFlag("--max-request-bytes", "\(maxRequestBytes)") }
        let clusterText = initialCluster ?? advertisePeer.map { "\(name)=\($0)" }.joined(separator: ",")
        let cluster: [(name: String, peerURLs: [String])]
        do { cluster = try StoreMemberConfig.parseInitialCluster(clusterText) } catch {
            throw .badFlag("--initial-cluster", "\(error)")
        }
        guard cluster.contains(where: { $0.name == name }) else {
            throw .badFlag("--initial-cluster", "\(clusterText) has no entry for --name \(name)")
        }
        let peer = listenPeer[0]
        var config = StoreMemberConfig(
            name: name, dataDir: dataDir ?? "\(name).etcd",
            peerListen: "\(Self.bindHost(peer.host)):\(peer.port)",
            initialCluster: cluster, initialClusterState: state, initialClusterToken: initialClusterToken,
            advertisePeerURLs: advertisePeer.map(\.description),
            advertiseClientURLs: advertiseClient.map(\.description))
        config.tickMilliseconds = heartbeatInterval
        config.heartbeatTicks = 1
        config.electionTicks = electionTimeout / heartbeatInterval
        config.snapshotCount = snapshotCount
        config.maxRequestBytes = maxRequestBytes
        return config
    }

    /// The client URLs to listen on, names resolved as etcd binds them ("localhost" = loopback).
    public func clientListenURLs() throws(StoreServerError) -> [EtcdURL] {
        guard let urls = EtcdURL.list(listenClientURLs) else { throw .badFlag("--listen-client-urls", listenClientURLs) }
        for url in urls where url.scheme != "http" {
            throw .badFlag("--listen-client-urls", "\(url): only http (plaintext) is served")
        }
        return urls.map { EtcdURL(scheme: $0.scheme, host: Self.bindHost($0.host), port: $0.port) }
    }

    static func bindHost(_ host: String) -> String { host == "localhost" ? "127.0.0.1" : host }
}

public enum StoreServerError: Error, Hashable, Sendable, CustomStringConvertible {
    case badFlag(String, String)
    case memberStart(String)
    case serve(String)

    public var description: String {
        switch self {
        case .badFlag(let flag, let why): "invalid \(flag): \(why)"
        case .memberStart(let why): "cannot start the store member: \(why)"
        case .serve(let why): "cannot serve the etcd API: \(why)"
        }
    }
}

public enum StoreServer {
    static let logger = Logger(label: "swiftlet.store")

    /// Runs the member and its API until a stop signal; returns the process exit status. For a
    /// synchronous caller (the CLI): blocks the calling thread.
    public static func runBlocking(_ options: StoreServerOptions) -> Int32 {
        SignalWaiter.blockStopSignals()
        let result = Mutex<Int32>(1)
        let done = DispatchSemaphore(value: 0)
        Task {
            let status = await run(options)
            result.withLock { $0 = status }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }
    }

    public static func run(_ options: StoreServerOptions) async -> Int32 {
        do {
            try await serve(options)
            return 0
        } catch {
            var err = StandardErrorStream()
            print("swiftlet store: \(error)", to: &err)
            return 1
        }
    }

    static func serve(_ options: StoreServerOptions) async throws {
        let config = try options.memberConfig()
        let listen = try options.clientListenURLs()
        let member: StoreMember
        do { member = try await StoreMember.start(config) } catch { throw StoreServerError.memberStart("\(error)") }
        let server = EtcdGRPCServer(backend: StoreMemberBackend(member), listen: listen,
                                    limits: EtcdRequestLimits(maxRequestBytes: options.maxRequestBytes))
        let serving = Task { try await server.run() }
        logger.info("serving the etcd v3 API", metadata: [
            "name": "\(config.name)", "member": "\(memberIDString(member.memberID))",
            "client-urls": "\(listen.map(\.description).joined(separator: ","))"])

        enum Ending: Sendable { case signal(Int32), memberStopped(String), serveFailed(String) }
        // The first of: a stop signal, the member stopping on its own, the server failing. Unstructured
        // tasks, because the losers (a member that has not stopped) cannot be cancelled and waited for.
        let (endings, sink) = AsyncStream.makeStream(of: Ending.self)
        let watchers: [Task<Void, Never>] = [
            Task { _ = sink.yield(.signal(await SignalWaiter.next())) },
            Task { _ = sink.yield(.memberStopped("\(await member.waitUntilStopped())")) },
            Task {
                do { try await serving.value; _ = sink.yield(.serveFailed("stopped serving")) } catch {
                    _ = sink.yield(.serveFailed("\(error)"))
                }
            },
        ]
        var iterator = endings.makeAsyncIterator()
        let ending = await iterator.next() ?? .serveFailed("no ending")
        for w in watchers { w.cancel() }
        // Stop taking requests, stop the member (a leader hands over first), then drop the streams
        // still open (watches, keep-alives), which would otherwise keep the server up.
        server.beginGracefulShutdown()
        await member.stop()
        serving.cancel()
        _ = try? await serving.value
        switch ending {
        case .signal(let signal): logger.info("stopped", metadata: ["signal": "\(signal)"])
        case .memberStopped(let why): throw StoreServerError.serve("the member stopped: \(why)")
        case .serveFailed(let why): throw StoreServerError.serve(why)
        }
    }
}

struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) { writeStandardError(string) }
}

func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
        if n <= 0 { return }
        offset += n
    }
}
