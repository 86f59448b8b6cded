import KubeAPI
import Store

/// `/status`, `/scale`, `pods/{name}/binding`, `pods/{name}/eviction` and `namespaces/{name}/finalize`.
extension KubeAPIServer {
    func handleSubresource(_ request: APIRequest, _ info: RequestInfo, _ strategy: ResourceStrategy,
                           namespace: String) async throws -> APIResponse {
        guard let sub = strategy.info.subresources.first(where: { $0.name == info.subresource }) else {
            throw Responses.notFound
        }
        guard sub.verbs.contains(info.verb) else {
            throw Status.methodNotAllowed(GroupResource(group: strategy.info.group, resource: strategy.resource + "/" + sub.name),
                                          action: info.verb)
        }
        let dryRun = try parseDryRun(request)
        switch (sub.name, info.verb) {
        case ("status", "get"):
            return Responses.json(200, try await registry.get(strategy, namespace: namespace, name: info.name).object)
        case ("status", "update"):
            let body = try decodeBody(request)
            let r = try await registry.update(strategy, namespace: namespace, name: info.name, scope: .status, dryRun: dryRun) { _ in body }
            return Responses.json(200, r.object)
        case ("status", "patch"):
            let (type, patch) = try decodePatch(request)
            let r = try await registry.update(strategy, namespace: namespace, name: info.name, scope: .status, dryRun: dryRun) {
                try KubeAPIServer.applyPatch(type, patch, to: $0, group: strategy.info.group, kind: strategy.info.kind)
            }
            return Responses.json(200, r.object)
        case ("scale", "get"):
            let found = try await registry.get(strategy, namespace: namespace, name: info.name)
            return Responses.json(200, KubeAPIServer.scale(of: found.object))
        case ("scale", "update"), ("scale", "patch"):
            let scaleChange: (JSONValue) throws -> JSONValue
            if info.verb == "update" {
                let body = try decodeBody(request)
                scaleChange = { _ in body }
            } else {
                let (type, patch) = try decodePatch(request)
                scaleChange = { try KubeAPIServer.applyPatch(type, patch, to: $0, group: "autoscaling", kind: "Scale") }
            }
            let r = try await registry.update(strategy, namespace: namespace, name: info.name, scope: .system, dryRun: dryRun) { current in
                let desired = try scaleChange(KubeAPIServer.scale(of: current))
                guard let replicas = desired["spec"]?["replicas"]?.integerValue else {
                    throw Status.invalid(kind: "Scale", group: "autoscaling", name: info.name, [.required("spec.replicas")])
                }
                if replicas < 0 {
                    throw Status.invalid(kind: "Scale", group: "autoscaling", name: info.name,
                                         [FieldError(.invalid, field: "spec.replicas", value: String(replicas),
                                                     detail: "must be greater than or equal to 0")])
                }
                var next = current
                next.set(["spec", "replicas"], .integer(replicas))
                // The Scale's resourceVersion is the parent's: a stale one is a conflict.
                let wanted = desired.meta("resourceVersion")
                next.setMeta("resourceVersion", wanted == current.meta("resourceVersion") ? nil : wanted)
                return next
            }
            return Responses.json(200, KubeAPIServer.scale(of: r.object))
        case ("binding", "create"):
            let body = try decodeBody(request)
            return try await bind(strategy, namespace: namespace, podName: info.name, body: body)
        case ("eviction", "create"):
            return try await evict(namespace: namespace, podName: info.name, body: try decodeBody(request), dryRun: dryRun)
        case ("finalize", "update"):
            let body = try decodeBody(request)
            let r = try await registry.update(strategy, namespace: "", name: info.name, scope: .system, dryRun: dryRun) { current in
                var next = current
                next.set(["spec", "finalizers"], body["spec"]?["finalizers"] ?? .array([]))
                next.setMeta("resourceVersion", body.meta("resourceVersion"))
                return next
            }
            return Responses.json(200, r.object)
        default:
            throw Status.methodNotAllowed(GroupResource(group: strategy.info.group, resource: strategy.resource + "/" + sub.name),
                                          action: info.verb)
        }
    }

    /// autoscaling/v1 Scale of a Deployment or ReplicaSet.
    static func scale(of object: JSONValue) -> JSONValue {
        var meta: [String: JSONValue] = [:]
        for k in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let v = object.meta(k) { meta[k] = v }
        }
        var status: [String: JSONValue] = ["replicas": .integer(object["status"]?["replicas"]?.integerValue ?? 0)]
        if let sel = object["spec"]?["selector"], let ls = try? sel.decode(LabelSelector.self), let s = try? Selector(ls) {
            status["selector"] = .string(s.description)
        }
        return .object([
            "kind": .string("Scale"), "apiVersion": .string("autoscaling/v1"),
            "metadata": .object(meta),
            "spec": .object(["replicas": .integer(object["spec"]?["replicas"]?.integerValue ?? 0)]),
            "status": .object(status),
        ])
    }

    /// Binds a pod to a node: sets `spec.nodeName` once (409 if already bound or being deleted).
    func bind(_ strategy: ResourceStrategy, namespace: String, podName: String, body: JSONValue) async throws -> APIResponse {
        guard let pods = ResourceStrategy.lookup(group: "", version: "v1", resource: "pods") else { throw Responses.notFound }
        let name = podName.isEmpty ? (body.metaString("name") ?? "") : podName
        guard let node = body["target"]?["name"]?.stringValue, !node.isEmpty else {
            throw Status.invalid(kind: "Binding", name: name, [.required("target.name")])
        }
        if let kind = body["target"]?["kind"]?.stringValue, !kind.isEmpty, kind != "Node" {
            throw Status.invalid(kind: "Binding", name: name, [.notSupported("target.kind", kind, ["Node"])])
        }
        let bindingGR = GroupResource(resource: "pods/binding")
        // The node name is checked above as a string and the condition is ours: no typed re-decode of
        // the whole stored pod (type checks were 9% of the server's CPU in the scheduler benchmark).
        _ = try await registry.update(pods, namespace: namespace, name: name, scope: .system, typeCheck: false) { current in
            if let uid = body.metaString("uid"), !uid.isEmpty, uid != current.metaString("uid") {
                throw Status.conflict(bindingGR, name: name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.metaString("uid") ?? "")")
            }
            if current.meta("deletionTimestamp") != nil {
                throw Status.conflict(bindingGR, name: name, "pod \(name) is being deleted, cannot be assigned to a host")
            }
            if let existing = current["spec"]?["nodeName"]?.stringValue, !existing.isEmpty {
                throw Status.conflict(bindingGR, name: name, "pod \(name) is already assigned to node \"\(existing)\"")
            }
            var next = current
            next.set(["spec", "nodeName"], .string(node))
            var conditions = current["status"]?["conditions"]?.arrayValue ?? []
            conditions.removeAll { $0["type"]?.stringValue == "PodScheduled" }
            conditions.append(.object(["type": .string("PodScheduled"), "status": .string("True"),
                                       "lastProbeTime": .null, "lastTransitionTime": .string(Time.now().rfc3339)]))
            next.set(["status", "conditions"], .array(conditions))
            next.setMeta("resourceVersion", nil)
            return next
        }
        return Responses.encoded(201, Status.success())
    }
}
