import KubeAPI
import Store

/// `POST pods/{name}/eviction` (policy/v1 Eviction), which `kubectl drain` uses: kube's
/// `EvictionREST.Create`. PodDisruptionBudgets are not served here, so no budget can refuse an
/// eviction and it is the pod's delete with the Eviction's deleteOptions; the answer is 201 with a
/// Success Status, as kube's.
extension KubeAPIServer {
    func evict(namespace: String, podName: String, body: JSONValue, dryRun: Bool) async throws -> APIResponse {
        guard let pods = ResourceStrategy.lookup(group: "", version: "v1", resource: "pods") else { throw Responses.notFound }
        if let name = body.metaString("name"), !name.isEmpty, name != podName {
            throw Status.badRequest("name in URL does not match name in Eviction object")
        }
        var options = DeleteOptions()
        if let given = body["deleteOptions"], given != .null {
            do { options = try given.decode(DeleteOptions.self) } catch {
                throw Status.badRequest("invalid deleteOptions in Eviction: \(error)")
            }
        }
        if dryRun { options.dryRun = ["All"] }
        if let d = options.dryRun, d.contains(where: { $0 != "All" }) {
            throw Status.badRequest("dryRun: Unsupported value: supported values: \"All\"")
        }
        _ = try await registry.delete(pods, namespace: namespace, name: podName, options: options)
        return Responses.encoded(201, Status.success())
    }
}
