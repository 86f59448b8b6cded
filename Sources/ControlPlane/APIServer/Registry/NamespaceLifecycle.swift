import Glibc
import KubeAPI
import Store

/// What kube's namespace controller does, run inside the API server: once a namespace is terminating,
/// delete everything in it, and when nothing is left, drop the `kubernetes` finalizer so the namespace
/// itself goes.
extension KubeAPIServer {
    func finalizeNamespace(_ name: String) async {
        guard let nsStrategy = ResourceStrategy.lookup(group: "", version: "v1", resource: "namespaces") else { return }
        let namespaced = APIResourceCatalog.resources.filter { $0.namespaced && $0.verbs.contains("list") }
        while !Task.isCancelled {
            var remaining = 0
            do {
                for info in namespaced {
                    let strategy = ResourceStrategy(info)
                    let list = try await registry.list(strategy, namespace: name, options: ListOptions())
                    for item in list["items"]?.arrayValue ?? [] {
                        remaining += 1
                        guard item.meta("deletionTimestamp") == nil, let n = item.metaString("name") else { continue }
                        var options = DeleteOptions()
                        options.propagationPolicy = "Background"
                        _ = try? await registry.delete(strategy, namespace: name, name: n, options: options)
                    }
                }
                if remaining == 0 {
                    _ = try await registry.update(nsStrategy, namespace: "", name: name, scope: .system) { current in
                        var next = current
                        next.set(["spec", "finalizers"], .array([]))
                        next.setMeta("resourceVersion", nil)
                        return next
                    }
                    return
                }
            } catch let s as Status where s.code == 404 {
                return
            } catch {
                logger.warning("namespace cleanup", metadata: ["namespace": "\(name)", "error": "\(error)"])
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}
