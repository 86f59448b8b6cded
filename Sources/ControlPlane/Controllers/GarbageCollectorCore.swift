import KubeAPI

/// One object as the garbage collector sees it: identity, owners, deletion state.
public struct GCObject: Hashable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var namespace: String?
    public var name: String
    public var uid: String
    public var ownerReferences: [OwnerReference]
    public var beingDeleted: Bool
    public var finalizers: [String]
    public var resourceVersion: String?

    public init(apiVersion: String, kind: String, metadata m: ObjectMeta) {
        self.apiVersion = apiVersion
        self.kind = kind
        namespace = m.namespace.flatMap { $0.isEmpty ? nil : $0 }
        name = m.name ?? ""
        uid = m.uid ?? ""
        ownerReferences = m.ownerReferences ?? []
        beingDeleted = m.deletionTimestamp != nil
        finalizers = m.finalizers ?? []
        resourceVersion = m.resourceVersion
    }

    public init<T: KubeObject>(_ object: T) {
        self.init(apiVersion: T.apiVersion, kind: T.kind, metadata: object.metadata)
    }
}

public enum GCAction: Hashable, Sendable {
    /// Delete with this propagation policy (Background or Foreground).
    case delete(GCObject, propagation: String)
    /// Remove the owner references with these uids (orphaning, or dropping dangling owners).
    case removeOwnerReferences(GCObject, uids: [String])
    case removeFinalizer(GCObject, String)
}

/// kube's garbage collector as one pass over a graph of objects: owners gone → dependents deleted
/// (background); an owner deleting in the foreground → its dependents deleted first, its
/// `foregroundDeletion` finalizer removed once no dependent with blockOwnerDeletion remains; an owner
/// deleting with `orphan` → the references to it removed from its dependents, then the finalizer.
/// An owner of a kind the collector does not watch is never taken as gone.
public enum GarbageCollectorCore {
    public static let foregroundFinalizer = "foregroundDeletion"
    public static let orphanFinalizer = "orphan"

    public static func plan(_ objects: [GCObject], watchedKinds: Set<String>) -> [GCAction] {
        var byUID: [String: GCObject] = [:]
        var dependents: [String: [GCObject]] = [:]
        for o in objects {
            byUID[o.uid] = o
            for r in o.ownerReferences { dependents[r.uid, default: []].append(o) }
        }
        var actions: [GCAction] = []

        // Owners being deleted with a finalizer the collector serves.
        for o in objects where o.beingDeleted {
            let deps = dependents[o.uid] ?? []
            if o.finalizers.contains(orphanFinalizer) {
                if deps.isEmpty {
                    actions.append(.removeFinalizer(o, orphanFinalizer))
                } else {
                    for d in deps { actions.append(.removeOwnerReferences(d, uids: [o.uid])) }
                }
            } else if o.finalizers.contains(foregroundFinalizer) {
                let blocking = deps.filter { d in d.ownerReferences.contains { $0.uid == o.uid && $0.blockOwnerDeletion == true } }
                if blocking.isEmpty { actions.append(.removeFinalizer(o, foregroundFinalizer)) }
            }
        }

        // Dependents: classify each owner reference as solid, dangling, or waiting for dependents.
        for o in objects where !o.beingDeleted && !o.ownerReferences.isEmpty {
            var solid = 0
            var dangling: [String] = []
            var waiting: [String] = []
            for r in o.ownerReferences {
                guard let owner = byUID[r.uid], owner.kind == r.kind, owner.namespace == nil || owner.namespace == o.namespace else {
                    if watchedKinds.contains(r.kind) { dangling.append(r.uid) } else { solid += 1 }
                    continue
                }
                if owner.beingDeleted && owner.finalizers.contains(foregroundFinalizer) {
                    waiting.append(r.uid)
                } else {
                    solid += 1
                }
            }
            if solid > 0 {
                let drop = dangling + waiting
                if !drop.isEmpty { actions.append(.removeOwnerReferences(o, uids: drop)) }
            } else if !waiting.isEmpty || !dangling.isEmpty {
                let hasDependents = !(dependents[o.uid] ?? []).isEmpty
                let policy = (!waiting.isEmpty && hasDependents) || o.finalizers.contains(foregroundFinalizer) ? "Foreground" : "Background"
                actions.append(.delete(o, propagation: policy))
            }
        }
        return actions
    }
}
