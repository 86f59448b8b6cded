import FoundationEssentials
import KubeAPI
import Store

enum DeleteOutcome: Sendable {
    /// The key is gone; the last version of the object.
    case deleted(JSONValue)
    /// Deletion started (deletionTimestamp set) but finalizers or a grace period keep the object.
    case pending(JSONValue)
}

extension Registry {
    /// kube's `Store.Delete`: preconditions, graceful deletion for pods on a node, finalizers and
    /// propagation policy, then the delete itself, retried on races.
    func delete(_ strategy: ResourceStrategy, namespace: String, name: String, options: DeleteOptions)
        async throws -> DeleteOutcome {
        let key = StorageKeys.objectKey(strategy.resource, namespace: namespace, name: name)
        var attempts = 0
        while true {
            attempts += 1
            guard let current = try await store.get(key) else { throw Status.notFound(strategy.groupResource, name: name) }
            let object = current.object
            if let uid = options.preconditions?.uid, uid != (object.metaString("uid") ?? "") {
                throw Status.conflict(strategy.groupResource, name: name,
                                      "Precondition failed: UID in precondition: \(uid), UID in object meta: \(object.metaString("uid") ?? "")")
            }
            if let rv = options.preconditions?.resourceVersion, rv != String(current.modRevision) {
                throw Status.conflict(strategy.groupResource, name: name,
                                      "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.modRevision)")
            }
            var updated = object
            var mustKeep = false
            let now = Time.now()

            if strategy.resource == "pods" {
                let grace = podGracePeriod(object, options)
                if grace > 0 {
                    let existing = object.meta("deletionGracePeriodSeconds")?.integerValue
                    if let existing, existing <= grace {
                        return .pending(object)
                    }
                    updated.setMeta("deletionTimestamp", .string(Time(seconds: now.seconds + grace).rfc3339))
                    updated.setMeta("deletionGracePeriodSeconds", .integer(grace))
                    mustKeep = true
                } else if object.meta("deletionTimestamp") != nil {
                    updated.setMeta("deletionGracePeriodSeconds", .integer(0))
                }
            }
            if strategy.resource == "namespaces" {
                updated.set(["status", "phase"], .string("Terminating"))
                if object.meta("deletionTimestamp") == nil {
                    updated.setMeta("deletionTimestamp", .string(now.rfc3339))
                    updated.setMeta("deletionGracePeriodSeconds", .integer(0))
                }
                if !(updated["spec"]?["finalizers"]?.arrayValue ?? []).isEmpty { mustKeep = true }
            }

            var finalizers = object.finalizers
            let policy = options.propagationPolicy ?? (options.orphanDependents == true ? "Orphan" : nil)
            switch policy {
            case "Orphan":
                finalizers.removeAll { $0 == "foregroundDeletion" }
                if !finalizers.contains("orphan") { finalizers.append("orphan") }
            case "Foreground":
                finalizers.removeAll { $0 == "orphan" }
                if !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
            case "Background":
                finalizers.removeAll { $0 == "orphan" || $0 == "foregroundDeletion" }
            default:
                break
            }
            if !finalizers.isEmpty {
                updated.setMeta("finalizers", .array(finalizers.map(JSONValue.string)))
                if updated.meta("deletionTimestamp") == nil {
                    updated.setMeta("deletionTimestamp", .string(now.rfc3339))
                    updated.setMeta("deletionGracePeriodSeconds", .integer(0))
                }
                mustKeep = true
            }

            if mustKeep {
                var unchanged = updated
                unchanged.setMeta("resourceVersion", object.meta("resourceVersion"))
                if unchanged == object || options.isDryRun { return .pending(updated) }
                if let rev = try await store.update(key, updated, modRevision: current.modRevision) {
                    updated.setMeta("resourceVersion", .string(String(rev)))
                    return .pending(updated)
                }
            } else {
                if options.isDryRun { return .deleted(object) }
                let release = allocator.releaseOps(strategy, object)
                if try await store.delete(key, modRevision: current.modRevision, extraOps: release) != nil {
                    return .deleted(object)
                }
            }
            if options.preconditions?.resourceVersion != nil || attempts >= 20 {
                throw Status.conflict(strategy.groupResource, name: name,
                                      "the object has been modified; please apply your changes to the latest version and try again")
            }
        }
    }

    /// The grace period a pod delete gets: the request's, else the pod's own; 0 for pods that never
    /// reached a node or already finished (nothing to stop).
    func podGracePeriod(_ pod: JSONValue, _ options: DeleteOptions) -> Int64 {
        let nodeName = pod["spec"]?["nodeName"]?.stringValue ?? ""
        let phase = pod["status"]?["phase"]?.stringValue ?? ""
        if nodeName.isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        var grace = options.gracePeriodSeconds ?? pod["spec"]?["terminationGracePeriodSeconds"]?.integerValue ?? 30
        if grace < 0 { grace = 1 }
        return grace
    }

    /// Deletes every object of a collection that matches the selectors, one by one as kube does.
    func deleteCollection(_ strategy: ResourceStrategy, namespace: String, listOptions: ListOptions,
                          options: DeleteOptions) async throws -> JSONValue {
        var lo = listOptions
        lo.limit = 0
        lo.continueToken = nil
        let list = try await self.list(strategy, namespace: namespace, options: lo)
        var out: [JSONValue] = []
        for item in list["items"]?.arrayValue ?? [] {
            let name = item.metaString("name") ?? ""
            let ns = item.metaString("namespace") ?? namespace
            do {
                switch try await delete(strategy, namespace: ns, name: name, options: options) {
                case .deleted(let o), .pending(let o): out.append(o)
                }
            } catch let s as Status where s.code == 404 {
                continue
            }
        }
        var result = list
        result["items"] = .array(out)
        return result
    }
}
