import KubeAPI
import Logging
import Store
import Synchronization

/// The Kubernetes API as an `APIHandler`: discovery, version and health endpoints, and every resource in
/// the catalog stored in a key-value store the way kube-apiserver stores it in etcd. The HTTPS layer
/// authenticates and authorizes; this answers.
public final class KubeAPIServer: APIHandler {
    let config: APIServerConfig
    let client: any KeyValueClient
    let registry: Registry
    let watches: WatchStream
    let caches: [String: WatchCache]
    let tracker = WatchTracker()
    let logger: Logger
    let background = Mutex<[Task<Void, Never>]>([])
    let ready = Atomic<Bool>(false)

    public init(store: any KeyValueClient, config: APIServerConfig = APIServerConfig(),
                logger: Logger = Logger(label: "swiftlet.apiserver")) {
        self.config = config
        self.client = store
        self.logger = logger
        let cidr = IPv4CIDR(config.serviceCIDR) ?? IPv4CIDR("10.96.0.0/12")!
        let objects = ObjectStore(client: store)
        registry = Registry(store: objects, allocator: ServiceAllocator(client: store, cidr: cidr, nodePorts: config.nodePortRange))
        var caches: [String: WatchCache] = [:]
        if config.watchCache {
            for info in APIResourceCatalog.resources where info.verbs.contains("watch") {
                caches[info.name] = WatchCache(strategy: ResourceStrategy(info), capacity: config.watchCacheCapacity)
            }
        }
        self.caches = caches
        watches = WatchStream(registry: registry, client: store, config: config, caches: caches)
    }

    /// Creates what a cluster starts with (default namespaces, the `kubernetes` Service, default
    /// ServiceAccounts) and resumes namespace deletions in progress. Idempotent.
    public func start() async throws {
        try await Bootstrap(server: self).run()
        for cache in caches.values {
            let client = self.client, logger = self.logger
            spawn { await cache.run(client: client, logger: logger) }
        }
        ready.store(true, ordering: .releasing)
    }

    /// Ends every open watch and background task.
    public func stop() {
        ready.store(false, ordering: .releasing)
        tracker.finishAll()
        let tasks = background.withLock { t in
            let all = t
            t = []
            return all
        }
        for t in tasks { t.cancel() }
    }

    /// Number of open watch streams (for tests and metrics).
    public var openWatchCount: Int { tracker.count }

    func spawn(_ body: @escaping @Sendable () async -> Void) {
        let task = Task { await body() }
        background.withLock { t in
            t.removeAll { $0.isCancelled }
            t.append(task)
        }
    }

    public func handle(_ request: APIRequest) async -> APIResponse {
        let info = RequestInfo.parse(method: request.method, path: request.path, watchParam: request.queryValue("watch"))
        do {
            if info.isResourceRequest {
                return try await handleResource(request, info)
            }
            return try await handleNonResource(request, info)
        } catch {
            let status = Responses.status(for: error)
            if (status.code ?? 500) >= 500 {
                logger.warning("request failed", metadata: ["method": "\(request.method)", "path": "\(request.path)",
                                                            "error": "\(status.message ?? "")"])
            }
            return Responses.status(status)
        }
    }

    // MARK: non-resource paths

    func handleNonResource(_ request: APIRequest, _ info: RequestInfo) async throws -> APIResponse {
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        guard request.method == "GET" || request.method == "HEAD" else {
            if path.hasPrefix("/api") { throw Status.methodNotAllowed(GroupResource(resource: ""), action: request.method) }
            throw Responses.notFound
        }
        switch path {
        case "/version":
            return Responses.encoded(200, config.version)
        case "/healthz", "/livez", "/readyz":
            return try await health(path, verbose: request.queryValue("verbose") != nil)
        case "/healthz/ping", "/livez/ping", "/readyz/ping":
            return Responses.text(200, "ok")
        case "/api":
            let address = (config.advertiseAddress ?? "127.0.0.1") + ":" + String(config.securePort)
            return Responses.json(200, Discovery.apiVersions(serverAddress: address))
        case "/apis":
            return Responses.json(200, Discovery.apiGroupList())
        case "/openapi/v3":
            return APIResponse(status: 200, headers: Responses.jsonHeaders, body: .bytes(OpenAPIV3.indexBytes()))
        case "/openapi/v2":
            if (request.header("accept") ?? "").contains("protobuf") {
                return APIResponse(status: 200, headers: [("content-type", OpenAPIV2.protobufMediaType), ("etag", "\"" + OpenAPIV2.protobufETag + "\"")],
                                   body: .bytes(OpenAPIV2.protobufBytes))
            }
            return APIResponse(status: 200, headers: Responses.jsonHeaders + [("etag", "\"" + OpenAPIV2.jsonETag + "\"")],
                               body: .bytes(OpenAPIV2.jsonBytes))
        default:
            break
        }
        if path.hasPrefix("/openapi/v3/"), let doc = OpenAPIV3.document(path: String(path.dropFirst("/openapi/v3/".count))) {
            return APIResponse(status: 200, headers: Responses.jsonHeaders + [("etag", "\"" + doc.hash + "\"")], body: .bytes(doc.bytes))
        }
        let parts = info.parts
        if info.apiPrefix == "api", parts.count == 1, let list = Discovery.apiResourceList(group: "", version: parts[0]) {
            return Responses.json(200, list)
        }
        if info.apiPrefix == "apis" {
            if parts.count == 1, let g = Discovery.apiGroup(parts[0]) { return Responses.json(200, g) }
            if parts.count == 2, let list = Discovery.apiResourceList(group: parts[0], version: parts[1]) {
                return Responses.json(200, list)
            }
        }
        throw Responses.notFound
    }

    func health(_ path: String, verbose: Bool) async throws -> APIResponse {
        var checks: [(String, Bool)] = [("ping", true), ("log", true)]
        var storeOK = true
        do { _ = try await registry.store.currentRevision() } catch { storeOK = false }
        checks.append(("etcd", storeOK))
        if path == "/readyz" { checks.append(("poststarthook/bootstrap-controller", ready.load(ordering: .acquiring))) }
        let ok = checks.allSatisfy(\.1)
        let name = String(path.dropFirst())
        if !verbose {
            if ok { return Responses.text(200, "ok") }
            var body = ""
            for (check, pass) in checks {
                body += pass ? "[+]\(check) ok\n" : "[-]\(check) failed: reason withheld\n"
            }
            return Responses.text(500, body + "\(name) check failed\n")
        }
        var body = ""
        for (check, pass) in checks {
            body += pass ? "[+]\(check) ok\n" : "[-]\(check) failed: reason withheld\n"
        }
        body += ok ? "\(name) check passed\n" : "\(name) check failed\n"
        return Responses.text(ok ? 200 : 500, body)
    }
}
