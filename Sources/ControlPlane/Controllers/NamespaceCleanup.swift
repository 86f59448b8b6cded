import KubeAPI

/// kube's namespace controller for a namespace being deleted: delete everything in it, resource by
/// resource; once nothing is left, remove the `kubernetes` finalizer from spec.finalizers through
/// `/finalize` (the API server then removes the namespace).
public enum NamespaceCleanup {
    public static let finalizer = "kubernetes"

    public enum Action: Hashable, Sendable {
        /// Delete every object of this resource (plural, with group) in the namespace.
        case deleteAll(resource: String)
        /// PUT this namespace to `/finalize`.
        case finalize(Namespace)
    }

    public static func isTerminating(_ ns: Namespace) -> Bool {
        ns.metadata.deletionTimestamp != nil || ns.status?.phase == "Terminating"
    }

    /// `remaining`: how many objects of each namespaced resource are still in the namespace.
    public static func plan(_ ns: Namespace, remaining: [String: Int]) -> [Action] {
        guard isTerminating(ns), ns.spec?.finalizers?.contains(finalizer) == true else { return [] }
        let left = remaining.filter { $0.value > 0 }.keys.sorted()
        if !left.isEmpty { return left.map { .deleteAll(resource: $0) } }
        var done = ns
        done.spec?.finalizers = ns.spec?.finalizers?.filter { $0 != finalizer }
        return [.finalize(done)]
    }
}
