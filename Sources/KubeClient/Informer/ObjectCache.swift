import KubeAPI
import Synchronization

/// The informer's thread-safe store (client-go's Indexer): objects by `namespace/name` key (`name`
/// for cluster-scoped kinds), with an index by namespace and any custom indexes, e.g. pods by
/// `spec.nodeName`.
public final class ObjectCache<Object: KubeObject>: Sendable {
    /// The index values an object files under (several, or none).
    public typealias IndexFunction = @Sendable (Object) -> [String]

    public static var namespaceIndex: String { "namespace" }

    private struct State {
        var items: [String: Object] = [:]
        /// index name → index value → keys.
        var indices: [String: [String: Set<String>]] = [:]
    }

    private let state = Mutex(State())
    private let indexers: [String: IndexFunction]

    public init(indexers: [String: IndexFunction] = [:]) {
        var all = indexers
        all[Self.namespaceIndex] = { [$0.metadata.namespace ?? ""] }
        self.indexers = all
    }

    /// `namespace/name`, or `name` without a namespace (client-go's MetaNamespaceKeyFunc).
    public static func key(of object: Object) -> String {
        key(namespace: object.metadata.namespace, name: object.metadata.name ?? "")
    }

    public static func key(namespace: String?, name: String) -> String {
        if let namespace, !namespace.isEmpty { return namespace + "/" + name }
        return name
    }

    // MARK: reads

    public func get(key: String) -> Object? { state.withLock { $0.items[key] } }

    public func get(namespace: String?, name: String) -> Object? { get(key: Self.key(namespace: namespace, name: name)) }

    public func list() -> [Object] { state.withLock { Array($0.items.values) } }

    public var keys: [String] { state.withLock { Array($0.items.keys) } }

    public var count: Int { state.withLock { $0.items.count } }

    public func list(namespace: String) -> [Object] { byIndex(Self.namespaceIndex, namespace) }

    /// The objects filed under `value` in the index `name`; empty for an unknown index.
    public func byIndex(_ name: String, _ value: String) -> [Object] {
        state.withLock { s in
            (s.indices[name]?[value] ?? []).compactMap { s.items[$0] }
        }
    }

    // MARK: writes (the reflector's)

    /// Stores `object`, returning what it replaced.
    @discardableResult
    func upsert(_ object: Object) -> Object? {
        let key = Self.key(of: object)
        return state.withLock { s in
            let old = s.items[key]
            if let old { unindex(old, key: key, &s) }
            s.items[key] = object
            index(object, key: key, &s)
            return old
        }
    }

    /// Removes the object under `key`, returning it.
    @discardableResult
    func remove(key: String) -> Object? {
        state.withLock { s in
            guard let old = s.items.removeValue(forKey: key) else { return nil }
            unindex(old, key: key, &s)
            return old
        }
    }

    /// What a relist changes: the objects that appeared, the ones that were replaced (old, new),
    /// and the ones that vanished without their delete being seen.
    struct ReplaceResult {
        var added: [Object] = []
        var updated: [(old: Object, new: Object)] = []
        var deleted: [(key: String, lastKnown: Object)] = []
    }

    /// Replaces the whole contents with a fresh list.
    func replace(with objects: [Object]) -> ReplaceResult {
        state.withLock { s in
            var result = ReplaceResult()
            var fresh: [String: Object] = [:]
            for o in objects { fresh[Self.key(of: o)] = o }
            for (key, old) in s.items where fresh[key] == nil {
                result.deleted.append((key, old))
            }
            for o in objects {
                let key = Self.key(of: o)
                if let old = s.items[key] { result.updated.append((old, o)) } else { result.added.append(o) }
            }
            s = State()
            for (key, o) in fresh {
                s.items[key] = o
                index(o, key: key, &s)
            }
            return result
        }
    }

    private func index(_ object: Object, key: String, _ s: inout State) {
        for (name, f) in indexers {
            for value in f(object) { s.indices[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private func unindex(_ object: Object, key: String, _ s: inout State) {
        for (name, f) in indexers {
            for value in f(object) {
                s.indices[name]?[value]?.remove(key)
                if s.indices[name]?[value]?.isEmpty == true { s.indices[name]?[value] = nil }
            }
        }
    }
}
