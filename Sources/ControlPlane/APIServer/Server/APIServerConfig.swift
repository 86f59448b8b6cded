/// Settings of the Kubernetes API proper (the HTTPS side has its own).
public struct APIServerConfig: Sendable {
    /// The range ClusterIPs come from (`--service-cluster-ip-range`); IPv4 only.
    public var serviceCIDR: String
    /// `--service-node-port-range`.
    public var nodePortRange: ClosedRange<Int>
    public var version: VersionInfo
    /// The address the `kubernetes` Service in `default` points at (the API server's own), if known.
    public var advertiseAddress: String?
    public var securePort: Int
    /// Watches without `timeoutSeconds` end after this long (kube: a random time in [30m, 60m)).
    public var defaultWatchTimeoutSeconds: Int
    /// Events a slow watcher may fall behind by before it is closed.
    public var watchBufferSize: Int
    /// How often a watch with `allowWatchBookmarks` gets a BOOKMARK.
    public var bookmarkIntervalSeconds: Double
    /// Serve lists at resourceVersion "0" and recent watches from per-resource caches.
    public var watchCache: Bool
    /// Events each resource's cache keeps for watches that resume from a recent resourceVersion.
    public var watchCacheCapacity: Int

    public init(serviceCIDR: String = "10.96.0.0/12", nodePortRange: ClosedRange<Int> = 30000...32767,
                version: VersionInfo = VersionInfo(), advertiseAddress: String? = nil, securePort: Int = 6443,
                defaultWatchTimeoutSeconds: Int = 1800, watchBufferSize: Int = 1000,
                bookmarkIntervalSeconds: Double = 60, watchCache: Bool = true, watchCacheCapacity: Int = 1024) {
        self.serviceCIDR = serviceCIDR
        self.nodePortRange = nodePortRange
        self.version = version
        self.advertiseAddress = advertiseAddress
        self.securePort = securePort
        self.defaultWatchTimeoutSeconds = defaultWatchTimeoutSeconds
        self.watchBufferSize = watchBufferSize
        self.bookmarkIntervalSeconds = bookmarkIntervalSeconds
        self.watchCache = watchCache
        self.watchCacheCapacity = watchCacheCapacity
    }
}

/// `version.Info` as `/version` serves it.
public struct VersionInfo: Codable, Hashable, Sendable {
    public var major: String
    public var minor: String
    public var gitVersion: String
    public var gitCommit: String
    public var gitTreeState: String
    public var buildDate: String
    public var goVersion: String
    public var compiler: String
    public var platform: String

    public init(major: String = "1", minor: String = "32", gitVersion: String = "v1.32.0-swiftlet",
                gitCommit: String = "", gitTreeState: String = "clean", buildDate: String = "2026-01-01T00:00:00Z",
                goVersion: String = "swift6.3", compiler: String = "swiftc", platform: String = "linux/amd64") {
        self.major = major
        self.minor = minor
        self.gitVersion = gitVersion
        self.gitCommit = gitCommit
        self.gitTreeState = gitTreeState
        self.buildDate = buildDate
        self.goVersion = goVersion
        self.compiler = compiler
        self.platform = platform
    }
}
