import KubeAPI

/// One `PodAffinityTerm` parsed once (kube's `framework.AffinityTerm`): the selector with the owning
/// pod's matchLabelKeys/mismatchLabelKeys folded in, the namespaces it names, its namespace selector.
public struct AffinityTerm: Hashable, Sendable {
    public var selector: Selector
    /// The term's namespaces; the owning pod's own when neither namespaces nor namespaceSelector is set.
    public var namespaces: [String]
    /// `.nothing` when the term has no namespaceSelector; `{}` (everything) selects every namespace.
    public var namespaceSelector: Selector
    public var topologyKey: String

    /// As `newAffinityTerm`. A selector that does not parse (the API server rejects those) selects nothing.
    public init(_ term: PodAffinityTerm, ownerNamespace: String, ownerLabels: [String: String]) {
        var labelSelector = term.labelSelector
        // The API server's create-time merge of matchLabelKeys/mismatchLabelKeys (a nil selector stays
        // match-nothing). Done here too so a pod written without that merge is judged the same; a
        // requirement added twice changes nothing.
        if var s = labelSelector {
            var extra: [LabelSelectorRequirement] = []
            for k in term.matchLabelKeys ?? [] {
                if let v = ownerLabels[k] { extra.append(LabelSelectorRequirement(key: k, operator: "In", values: [v])) }
            }
            for k in term.mismatchLabelKeys ?? [] {
                if let v = ownerLabels[k] { extra.append(LabelSelectorRequirement(key: k, operator: "NotIn", values: [v])) }
            }
            if !extra.isEmpty {
                s.matchExpressions = (s.matchExpressions ?? []) + extra
                labelSelector = s
            }
        }
        selector = (try? Selector(labelSelector)) ?? .nothing
        if (term.namespaces ?? []).isEmpty && term.namespaceSelector == nil {
            namespaces = [ownerNamespace]
        } else {
            namespaces = term.namespaces ?? []
        }
        namespaceSelector = term.namespaceSelector.map { (try? Selector($0)) ?? .nothing } ?? .nothing
        topologyKey = term.topologyKey
    }

    /// `AffinityTerm.Matches`: the pod is in one of the term's namespaces (by name or by the
    /// namespace's labels) and its labels match the selector.
    @inline(__always)
    public func matches(_ pod: AffinityPod, _ namespaces: NamespaceLabels) -> Bool {
        guard self.namespaces.contains(pod.namespace) || namespaceSelects(pod.namespace, namespaces) else { return false }
        return selector.matches(pod.labels)
    }

    private func namespaceSelects(_ namespace: String, _ labels: NamespaceLabels) -> Bool {
        if namespaceSelector.matchesNothing { return false }
        if namespaceSelector.isEverything { return true }
        return namespaceSelector.matches(labels.labels(of: namespace))
    }
}

/// A preferred term and its weight (negative for anti-affinity where the snapshot indexes it).
public struct WeightedAffinityTerm: Hashable, Sendable {
    public var weight: Int64
    public var term: AffinityTerm
}

/// A pod's pod affinity and anti-affinity, parsed; absent (nil) for the common pod that has none.
public struct PodAffinityTerms: Sendable {
    public var requiredAffinity: [AffinityTerm] = []
    public var requiredAntiAffinity: [AffinityTerm] = []
    public var preferredAffinity: [WeightedAffinityTerm] = []
    public var preferredAntiAffinity: [WeightedAffinityTerm] = []

    public init?(_ pod: Pod) {
        let a = pod.spec?.affinity
        guard a?.podAffinity != nil || a?.podAntiAffinity != nil else { return nil }
        let ns = pod.metadata.namespace ?? ""
        let labels = pod.metadata.labels ?? [:]
        func parse(_ t: PodAffinityTerm) -> AffinityTerm { AffinityTerm(t, ownerNamespace: ns, ownerLabels: labels) }
        func weighted(_ w: WeightedPodAffinityTerm) -> WeightedAffinityTerm {
            WeightedAffinityTerm(weight: Int64(w.weight), term: parse(w.podAffinityTerm))
        }
        requiredAffinity = (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(parse)
        requiredAntiAffinity = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(parse)
        preferredAffinity = (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(weighted)
        preferredAntiAffinity = (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(weighted)
        if requiredAffinity.isEmpty && requiredAntiAffinity.isEmpty && preferredAffinity.isEmpty && preferredAntiAffinity.isEmpty {
            return nil
        }
    }

    /// kube's `podMatchesAllAffinityTerms`: false for no terms.
    func allAffinityMatch(_ pod: AffinityPod, _ namespaces: NamespaceLabels) -> Bool {
        if requiredAffinity.isEmpty { return false }
        return requiredAffinity.allSatisfy { $0.matches(pod, namespaces) }
    }
}

/// What inter-pod affinity reads of a pod: its namespace, its labels and its own terms.
public struct AffinityPod: Sendable {
    public var key: String
    public var namespace: String
    public var labels: [String: String]
    public var terms: PodAffinityTerms?

    public init(_ pod: Pod, key: String? = nil) {
        self.key = key ?? SchedulerSnapshot.key(of: pod)
        namespace = pod.metadata.namespace ?? ""
        labels = pod.metadata.labels ?? [:]
        terms = PodAffinityTerms(pod)
    }
}

/// The labels of namespaces, for terms with a namespaceSelector. The scheduler does not watch
/// Namespaces yet: a namespace nobody has told the snapshot about is taken to carry only the label
/// every namespace gets at creation (`kubernetes.io/metadata.name=<name>`), which is what
/// namespace selectors usually select on; a selector on any other label does not match it.
public struct NamespaceLabels: Sendable {
    public static let nameLabel = "kubernetes.io/metadata.name"
    var known: [String: [String: String]] = [:]

    public func labels(of namespace: String) -> [String: String] {
        known[namespace] ?? [Self.nameLabel: namespace]
    }
}
