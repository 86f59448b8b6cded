import KubeAPI

/// What a delete handler receives: the object as deleted, or — when the delete happened while the
/// watch was down and only a relist showed it gone — the last state the cache knew
/// (client-go's DeletedFinalStateUnknown tombstone).
public enum DeletedObject<Object: KubeObject>: Hashable, Sendable {
    case deleted(Object)
    case finalStateUnknown(key: String, lastKnown: Object)

    public var object: Object {
        switch self {
        case .deleted(let o): o
        case .finalStateUnknown(_, let o): o
        }
    }
}

/// Callbacks for cache changes, called in order, one at a time, after the cache holds the change.
/// Keep them quick (enqueue a key): the watch waits for them.
public struct InformerHandler<Object: KubeObject>: Sendable {
    public var onAdd: @Sendable (Object) -> Void
    /// Also called for every object on resync and relist, with old == new when nothing changed.
    public var onUpdate: @Sendable (_ old: Object, _ new: Object) -> Void
    public var onDelete: @Sendable (DeletedObject<Object>) -> Void

    public init(onAdd: @escaping @Sendable (Object) -> Void = { _ in },
                onUpdate: @escaping @Sendable (Object, Object) -> Void = { _, _ in },
                onDelete: @escaping @Sendable (DeletedObject<Object>) -> Void = { _ in }) {
        self.onAdd = onAdd
        self.onUpdate = onUpdate
        self.onDelete = onDelete
    }
}
