import FoundationEssentials
import KubeAPI
import KubeClient
import Logging

/// The namespace controller's shell: a namespace being deleted has every namespaced resource the
/// API serves (per `APIResourceCatalog`) deleted as a collection until nothing is left, then is
/// finalized (`PUT namespaces/{name}/finalize` without the `kubernetes` finalizer).
final class NamespaceController: Sendable {
    let client: KubeAPIClient
    let informers: SharedInformers
    let queue = WorkQueue<String>()
    let logger: Logger

    init(client: KubeAPIClient, informers: SharedInformers, logger: Logger) {
        self.client = client
        self.informers = informers
        self.logger = logger
        informers.namespaces.addHandler(InformerHandler(
            onAdd: { [queue] n in if NamespaceCleanup.isTerminating(n) { queue.add(n.metadata.name ?? "") } },
            onUpdate: { [queue] _, n in if NamespaceCleanup.isTerminating(n) { queue.add(n.metadata.name ?? "") } }))
    }

    static var resources: [APIResourceInfo] {
        APIResourceCatalog.resources.filter {
            $0.namespaced && $0.verbs.contains("list") && $0.verbs.contains("deletecollection")
        }
    }

    static func collectionPath(_ r: APIResourceInfo, namespace: String) -> String {
        let base = r.group.isEmpty ? "/api/\(r.version)" : "/apis/\(r.group)/\(r.version)"
        return "\(base)/namespaces/\(namespace)/\(r.name)"
    }

    func run(workers: Int) async {
        await runWorkers("namespace", queue: queue, workers: workers, logger: logger) { [self] key in try await sync(key) }
    }

    func sync(_ name: String) async throws {
        guard let ns = informers.namespaces.cache.get(key: name), NamespaceCleanup.isTerminating(ns) else { return }
        var remaining: [String: Int] = [:]
        for r in Self.resources {
            let resp = try await client.raw(HTTPRequest(method: .GET, path: Self.collectionPath(r, namespace: name)))
            remaining[r.groupVersion + "/" + r.name] = (try? JSONValue.parse(resp.body))?["items"]?.arrayValue?.count ?? 0
        }
        let actions = NamespaceCleanup.plan(ns, remaining: remaining)
        for a in actions {
            switch a {
            case .deleteAll(let resource):
                guard let r = Self.resources.first(where: { $0.groupVersion + "/" + $0.name == resource }) else { continue }
                _ = try await client.raw(HTTPRequest(method: .DELETE, path: Self.collectionPath(r, namespace: name)))
            case .finalize(let done):
                let body = Array(try JSONEncoder().encode(done.withTypeMeta()))
                _ = try await client.raw(HTTPRequest(method: .PUT, path: "/api/v1/namespaces/\(name)/finalize", body: body,
                                                     contentType: "application/json"))
                logger.info("namespace finalized", metadata: ["namespace": "\(name)"])
                return
            }
        }
        // Objects may take a while to go (graceful pod termination): look again shortly.
        if !actions.isEmpty { queue.addAfter(name, .seconds(2)) }
    }
}
