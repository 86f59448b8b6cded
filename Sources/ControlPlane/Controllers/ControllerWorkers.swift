import KubeAPI
import KubeClient
import Logging

/// Runs `workers` loops that take keys from `queue` and sync them: success forgets the key's
/// back-off, failure re-queues it rate-limited (client-go's processNextWorkItem).
func runWorkers(_ name: String, queue: WorkQueue<String>, workers: Int, logger: Logger,
                sync: @escaping @Sendable (String) async throws -> Void) async {
    await withDiscardingTaskGroup { group in
        for _ in 0..<max(1, workers) {
            group.addTask {
                while let key = await queue.get() {
                    do {
                        try await sync(key)
                        queue.forget(key)
                    } catch {
                        logger.warning("sync failed", metadata: ["controller": "\(name)", "key": "\(key)", "error": "\(error)"])
                        queue.addRateLimited(key)
                    }
                    queue.done(key)
                }
            }
        }
    }
}

/// A sync error naming the controller step and object.
public struct ControllerError: Error, CustomStringConvertible, Sendable {
    public var step: String
    public var object: String
    public var underlying: String
    public var description: String { "\(step) \(object): \(underlying)" }
}

func cacheKey(_ meta: ObjectMeta) -> String { ObjectCache<Pod>.key(namespace: meta.namespace, name: meta.name ?? "") }

func splitKey(_ key: String) -> (namespace: String?, name: String) {
    guard let slash = key.firstIndex(of: "/") else { return (nil, key) }
    let ns = String(key[..<slash])
    return (ns.isEmpty ? nil : ns, String(key[key.index(after: slash)...]))
}

/// Runs one API write: true when it succeeded, false when it failed in a way `tolerated` accepts
/// (a conflict or a missing object: the next sync sorts it out); any other error is thrown.
@discardableResult
func attempt(_ body: () async throws -> Void, tolerating tolerated: (KubeClientError) -> Bool) async throws -> Bool {
    do {
        try await body()
        return true
    } catch let e as KubeClientError where tolerated(e) {
        return false
    }
}
