import FoundationEssentials
import KubeAPI
import Store

/// Which part of an object a write may change.
enum WriteScope: Sendable {
    /// The main resource: everything but status (for kinds with a status subresource).
    case main
    /// `/status`: only status.
    case status
    /// Server-internal writes (finalizer bookkeeping, binding, scale) that set what they need.
    case system
}

extension Registry {
    /// kube's `GuaranteedUpdate`: read, transform, check, write if still at the revision read; retry on a
    /// race unless the caller asked for a specific resourceVersion (then 409). `transform` gets the
    /// current object and returns the desired one. Returns the stored result and whether it was created.
    /// `typeCheck: false` is for server-internal transforms that only set fields of their own making.
    func update(_ strategy: ResourceStrategy, namespace: String, name: String, scope: WriteScope,
                dryRun: Bool = false, createIfMissing: JSONValue? = nil, typeCheck: Bool = true,
                transform: (JSONValue) throws -> JSONValue) async throws -> (object: JSONValue, created: Bool) {
        let key = StorageKeys.objectKey(strategy.resource, namespace: namespace, name: name)
        var attempts = 0
        while true {
            attempts += 1
            guard let current = try await store.get(key) else {
                if let body = createIfMissing, strategy.allowCreateOnUpdate, scope == .main {
                    return (try await create(strategy, namespace: namespace, body: body, dryRun: dryRun), true)
                }
                throw Status.notFound(strategy.groupResource, name: name)
            }
            var desired = try transform(current.object)
            guard desired.objectValue != nil else { throw Status.badRequest("the body must be a JSON object") }
            // A resourceVersion in the desired object is a precondition.
            let wanted = desired.metaString("resourceVersion") ?? ""
            let conditional = !wanted.isEmpty
            if conditional && wanted != String(current.modRevision) {
                throw Status.conflict(strategy.groupResource, name: name,
                                      "the object has been modified; please apply your changes to the latest version and try again")
            }
            if let n = desired.metaString("name"), !n.isEmpty, n != name {
                throw Status.badRequest("the name of the object (\(n)) does not match the name on the URL (\(name))")
            }
            desired = try Registry.normalizeBody(strategy, desired, namespace: namespace, typeCheck: typeCheck)
            desired.setMeta("name", .string(name))
            prepareForUpdate(strategy, scope: scope, &desired, old: current.object)
            Defaulting.apply(resource: strategy.resource, to: &desired)
            try Registry.checkValid(strategy, desired, old: current.object, scope: scope)
            var claimed = desired
            let claim = try await allocator.claim(strategy, &claimed, old: current.object)
            desired = claimed
            try Registry.checkValid(strategy, desired, old: current.object, scope: scope)

            // No change: no write, the current resourceVersion (kube short-circuits the same way).
            var unchanged = desired
            unchanged.setMeta("resourceVersion", current.object.meta("resourceVersion"))
            if unchanged == current.object { return (current.object, false) }
            if dryRun { return (desired, false) }

            // An object being deleted whose last finalizer went away is deleted now.
            if readyToDelete(strategy, desired) {
                let release = allocator.releaseOps(strategy, current.object)
                if let rev = try await store.delete(key, modRevision: current.modRevision, extraOps: release) {
                    desired.setMeta("resourceVersion", .string(String(rev)))
                    return (desired, false)
                }
            } else if let rev = try await store.update(key, desired, modRevision: current.modRevision,
                                                       extraCompares: claim.compares, extraOps: claim.ops) {
                desired.setMeta("resourceVersion", .string(String(rev)))
                return (desired, false)
            }
            if conditional {
                throw Status.conflict(strategy.groupResource, name: name,
                                      "the object has been modified; please apply your changes to the latest version and try again")
            }
            if attempts >= 20 {
                throw Status.conflict(strategy.groupResource, name: name, "too many concurrent updates, please retry")
            }
        }
    }

    /// Deletion was requested and nothing holds the object any more: no finalizers (for namespaces, none
    /// in `spec.finalizers` either) and no pod grace period running.
    func readyToDelete(_ strategy: ResourceStrategy, _ object: JSONValue) -> Bool {
        object.meta("deletionTimestamp") != nil && object.finalizers.isEmpty && !isGracefulPodPending(strategy, object)
            && (object["spec"]?["finalizers"]?.arrayValue ?? []).isEmpty
    }

    /// A pod with a deletion grace period still running is kept until the agent confirms (grace 0).
    func isGracefulPodPending(_ strategy: ResourceStrategy, _ object: JSONValue) -> Bool {
        strategy.resource == "pods" && (object.meta("deletionGracePeriodSeconds")?.integerValue ?? 0) > 0
    }

    /// Carries over what a client may not change: identity and server-managed metadata always; status on
    /// main writes and everything but status on status writes; bumps generation on spec changes.
    func prepareForUpdate(_ strategy: ResourceStrategy, scope: WriteScope, _ object: inout JSONValue, old: JSONValue) {
        for k in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            object.setMeta(k, old.meta(k))
        }
        object.setMeta("selfLink", nil)
        switch scope {
        case .main:
            if strategy.hasStatus { object["status"] = old["status"] }
        case .status:
            var merged = old
            merged["status"] = object["status"]
            // Status writers may still set labels/annotations? kube keeps the old metadata for status
            // writes of most kinds except that it honours the resourceVersion precondition.
            merged.setMeta("resourceVersion", object.meta("resourceVersion"))
            object = merged
        case .system:
            break
        }
        // A Service that stops being NodePort/LoadBalancer gives its node ports back (kube's
        // dropTypeDependentFields), unless the client set new ones.
        if strategy.resource == "services", let type = object["spec"]?["type"]?.stringValue, type == "ClusterIP" || type == "ExternalName",
           var ports = object["spec"]?["ports"]?.arrayValue {
            let oldPorts = old["spec"]?["ports"]?.arrayValue ?? []
            for i in ports.indices where ports[i]["nodePort"] != nil && oldPorts.contains(where: { $0["nodePort"] == ports[i]["nodePort"] }) {
                ports[i]["nodePort"] = nil
            }
            object.set(["spec", "ports"], .array(ports))
        }
        if strategy.tracksGeneration {
            let oldGen = old.meta("generation")?.integerValue ?? 1
            if object["spec"] != old["spec"] {
                object.setMeta("generation", .integer(oldGen + 1))
            }
        }
        // Once deletion started, finalizers may only be removed... kube allows adding too; keep as sent.
    }
}
