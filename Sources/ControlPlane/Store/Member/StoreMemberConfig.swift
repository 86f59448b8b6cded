// How a store member is started: etcd's server flags that matter to the store.

public struct StoreMemberConfig: Sendable {
    public enum ClusterState: String, Sendable { case new, existing }

    /// Human-readable member name (etcd --name).
    public var name: String
    /// Data directory (etcd --data-dir); the member keeps `member/wal`, `member/snap` and `member/identity` in it.
    public var dataDir: String
    /// Address the peer listener binds, "host:port" (port 0 picks one; see `StoreMember.peerPort`).
    public var peerListen: String
    /// Peer URLs this member advertises (etcd --initial-advertise-peer-urls); defaults to the initial cluster's
    /// entry for `name`.
    public var advertisePeerURLs: [String]
    /// name → peer URLs (etcd --initial-cluster), ignored when the data directory already holds a member.
    public var initialCluster: [(name: String, peerURLs: [String])]
    public var initialClusterState: ClusterState
    public var initialClusterToken: String
    /// Client URLs advertised to the rest of the cluster (MemberList).
    public var advertiseClientURLs: [String]
    /// Milliseconds per Raft tick (etcd --heartbeat-interval when heartbeatTicks = 1).
    public var tickMilliseconds: Int
    public var electionTicks: Int
    public var heartbeatTicks: Int
    /// Applied entries between snapshots (etcd --snapshot-count).
    public var snapshotCount: UInt64
    /// Entries kept in the log behind a snapshot so slow followers can catch up without one (etcd keeps 5000).
    public var snapshotCatchUpEntries: UInt64
    /// Largest put or txn accepted, in encoded bytes (etcd --max-request-bytes).
    public var maxRequestBytes: Int
    /// How long a request may wait to be committed (etcd: 5 s plus two election timeouts).
    public var requestTimeoutMilliseconds: Int
    /// Interval of progress notifications for watches that ask for them (etcd: 10 minutes).
    public var progressNotifyMilliseconds: Int
    /// WAL segment size (etcd: 64 MiB); tests use smaller segments.
    public var walSegmentBytes: Int
    /// Responses buffered per watch before the watch is ended as too slow.
    public var watchBufferLimit: Int

    public init(name: String, dataDir: String, peerListen: String = "127.0.0.1:2380",
                initialCluster: [(name: String, peerURLs: [String])] = [],
                initialClusterState: ClusterState = .new, initialClusterToken: String = "etcd-cluster",
                advertisePeerURLs: [String] = [], advertiseClientURLs: [String] = []) {
        self.name = name
        self.dataDir = dataDir
        self.peerListen = peerListen
        self.initialCluster = initialCluster
        self.initialClusterState = initialClusterState
        self.initialClusterToken = initialClusterToken
        self.advertisePeerURLs = advertisePeerURLs
        self.advertiseClientURLs = advertiseClientURLs
        tickMilliseconds = 100
        electionTicks = 10
        heartbeatTicks = 1
        snapshotCount = 10_000
        snapshotCatchUpEntries = 5_000
        maxRequestBytes = 1_572_864
        requestTimeoutMilliseconds = 5_000 + 2 * 10 * 100
        progressNotifyMilliseconds = 600_000
        walSegmentBytes = 64 << 20
        watchBufferLimit = 4_096
    }

    /// Parses etcd's --initial-cluster syntax, "a=http://10.0.0.1:2380,b=http://10.0.0.2:2380"; a name may
    /// repeat to give several URLs.
    public static func parseInitialCluster(_ text: String) throws(StoreMemberError) -> [(name: String, peerURLs: [String])] {
        var order: [String] = []
        var urls: [String: [String]] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .invalidConfig("--initial-cluster entry \"\(item)\" is not name=url")
            }
            let name = String(parts[0]), url = String(parts[1])
            guard PeerURL(url) != nil else { throw .invalidConfig("--initial-cluster URL \"\(url)\" is not http(s)://host:port") }
            if urls[name] == nil { order.append(name) }
            urls[name, default: []].append(url)
        }
        guard !order.isEmpty else { throw .invalidConfig("--initial-cluster is empty") }
        return order.map { ($0, urls[$0] ?? []) }
    }

    /// Peer URLs this member advertises: explicit, else its initial-cluster entry.
    var ownPeerURLs: [String] {
        if !advertisePeerURLs.isEmpty { return advertisePeerURLs }
        return initialCluster.first { $0.name == name }?.peerURLs ?? []
    }
}

/// "http://host:port" split into host and port.
struct PeerURL: Hashable, Sendable {
    var host: String
    var port: UInt16

    init?(_ url: String) {
        var rest = Substring(url)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) } else if rest.hasPrefix("https://") { rest = rest.dropFirst(8) } else { return nil }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]) else { return nil }
        var host = rest[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        self.host = String(host)
        self.port = port
    }
}

public enum StoreMemberError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidConfig(String)
    /// The data directory belongs to another cluster or member than the flags describe.
    case identityMismatch(String)
    /// Reading or writing the data directory failed (WAL and snapshot errors are passed on as they are).
    case dataDir(String)
    /// A peer refused us or we refused it (cluster id or member id mismatch).
    case peerRejected(String)
    case notStarted
    case stopped

    public var description: String {
        switch self {
        case .invalidConfig(let s): "store member: invalid configuration: \(s)"
        case .identityMismatch(let s): "store member: data directory mismatch: \(s)"
        case .dataDir(let s): "store member: data directory: \(s)"
        case .peerRejected(let s): "store member: peer rejected: \(s)"
        case .notStarted: "store member: not started"
        case .stopped: "store member: stopped"
        }
    }
}
