import KubeAPI

/// Counts per topology domain: topologyKey → node label value → count. The filter's counts only
/// grow, so an empty outer map means nothing matched anywhere; the score's sums may be negative.
typealias TopologyCounts = [String: [String: Int64]]

extension Dictionary where Key == String, Value == [String: Int64] {
    @inline(__always)
    mutating func add(_ key: String, _ node: NodeEntry, _ n: Int64) {
        guard let v = node.labels[key] else { return }
        self[key, default: [:]][v, default: 0] += n
    }

    @inline(__always)
    func count(_ key: String, _ node: NodeEntry) -> Int64 {
        guard let v = node.labels[key] else { return 0 }
        return self[key]?[v] ?? 0
    }
}

/// kube's InterPodAffinity plugin. PreFilter gathers, once per scheduling attempt, how many existing
/// pods match each term per topology domain; Filter then reads only the node's labels. Score sums
/// the preferred terms (both ways) per domain and normalizes min–max to 0…100.
public enum InterPodAffinity {
    public static let affinityRulesNotMatch = "node(s) didn't match pod affinity rules"
    public static let antiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules"
    public static let existingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules"
    /// `hardPodAffinityWeight` (kube's default): an existing pod's required affinity toward the
    /// incoming pod counts as a preference of this weight.
    public static let hardPodAffinityWeight: Int64 = 1

    /// PreFilter's result for one pod.
    public struct FilterState: Sendable {
        var affinityTerms: [AffinityTerm]
        var antiAffinityTerms: [AffinityTerm]
        /// Existing pods matching ALL of the incoming pod's required affinity terms, per domain of each term.
        var affinityCounts: TopologyCounts = [:]
        /// Existing pods matching each of the incoming pod's required anti-affinity terms.
        var antiAffinityCounts: TopologyCounts = [:]
        /// Existing pods whose required anti-affinity terms match the incoming pod.
        var existingAntiAffinityCounts: TopologyCounts = [:]
        /// The incoming pod matches all its own affinity terms (the first pod of a group may go anywhere).
        var matchesOwnAffinity = false
    }

    /// PreFilter: nil (kube's Skip) when the pod has no required terms and no existing pod's
    /// required anti-affinity matches it — in a cluster without such pods this is two checks.
    public static func preFilter(_ pod: PodSchedulingInfo, _ snapshot: SchedulerSnapshot) -> FilterState? {
        let terms = pod.affinity.terms
        let affinity = terms?.requiredAffinity ?? []
        let anti = terms?.requiredAntiAffinity ?? []
        if affinity.isEmpty && anti.isEmpty && snapshot.antiAffinityTerms.isEmpty { return nil }
        let namespaces = snapshot.namespaceLabels
        let slots = snapshot.slots
        var state = FilterState(affinityTerms: affinity, antiAffinityTerms: anti)
        for (term, perSlot) in snapshot.antiAffinityTerms where term.matches(pod.affinity, namespaces) {
            for (slot, n) in perSlot {
                if let node = slots[Int(slot)] { state.existingAntiAffinityCounts.add(term.topologyKey, node, Int64(n)) }
            }
        }
        if affinity.isEmpty && anti.isEmpty {
            return state.existingAntiAffinityCounts.isEmpty ? nil : state
        }
        for slot in snapshot.live {
            guard let node = slots[slot] else { continue }
            for existing in node.pods {
                // An existing pod counts for affinity only when it matches every term (kube's rule).
                if !affinity.isEmpty, affinity.allSatisfy({ $0.matches(existing, namespaces) }) {
                    for term in affinity { state.affinityCounts.add(term.topologyKey, node, 1) }
                }
                for term in anti where term.matches(existing, namespaces) {
                    state.antiAffinityCounts.add(term.topologyKey, node, 1)
                }
            }
        }
        state.matchesOwnAffinity = terms?.allAffinityMatch(pod.affinity, namespaces) ?? false
        return state
    }

    /// Filter: the incoming pod's affinity (unresolvable: preemption removes pods, it cannot add the
    /// ones the pod needs), its anti-affinity, then existing pods' anti-affinity toward it.
    public static func filter(_ state: FilterState, _ node: NodeEntry) -> FilterStatus? {
        if !satisfiesPodAffinity(state, node) { return .podAffinityRules }
        for term in state.antiAffinityTerms where state.antiAffinityCounts.count(term.topologyKey, node) > 0 {
            return .podAntiAffinityRules
        }
        for (key, values) in state.existingAntiAffinityCounts {
            if let v = node.labels[key], (values[v] ?? 0) > 0 { return .existingPodsAntiAffinityRules }
        }
        return nil
    }

    static func satisfiesPodAffinity(_ state: FilterState, _ node: NodeEntry) -> Bool {
        var podsExist = true
        for term in state.affinityTerms {
            // A node without the topology label is in no domain: it fails every affinity term.
            guard let v = node.labels[term.topologyKey] else { return false }
            if (state.affinityCounts[term.topologyKey]?[v] ?? 0) <= 0 { podsExist = false }
        }
        if podsExist { return true }
        // The first pod of a group with affinity to itself: nothing anywhere matches yet.
        return state.affinityCounts.isEmpty && state.matchesOwnAffinity
    }

    /// PreScore's result: the summed weights per topology domain.
    public struct ScoreState: Sendable {
        var topologyScore: TopologyCounts = [:]
    }

    /// PreScore: nil (every node scores the same) when neither the pod nor any existing pod has
    /// pod (anti-)affinity terms, or nothing matched. Every pod is visited only when the incoming pod
    /// has preferred terms of its own; existing pods' terms come from the snapshot's grouped index.
    public static func preScore(_ pod: PodSchedulingInfo, _ snapshot: SchedulerSnapshot) -> ScoreState? {
        let terms = pod.affinity.terms
        let preferred = terms?.preferredAffinity ?? []
        let preferredAnti = terms?.preferredAntiAffinity ?? []
        if preferred.isEmpty && preferredAnti.isEmpty && snapshot.scoringTerms.isEmpty { return nil }
        let namespaces = snapshot.namespaceLabels
        let slots = snapshot.slots
        var scores: TopologyCounts = [:]
        if !preferred.isEmpty || !preferredAnti.isEmpty {
            for slot in snapshot.live {
                guard let node = slots[slot], !node.labels.isEmpty else { continue }
                for existing in node.pods {
                    for w in preferred where w.term.matches(existing, namespaces) {
                        scores.add(w.term.topologyKey, node, w.weight)
                    }
                    for w in preferredAnti where w.term.matches(existing, namespaces) {
                        scores.add(w.term.topologyKey, node, -w.weight)
                    }
                }
            }
        }
        // Existing pods' required affinity (hardPodAffinityWeight), preferred affinity and preferred
        // anti-affinity (negative weights) toward the incoming pod.
        for (w, perSlot) in snapshot.scoringTerms where w.term.matches(pod.affinity, namespaces) {
            for (slot, n) in perSlot {
                if let node = slots[Int(slot)] { scores.add(w.term.topologyKey, node, w.weight * Int64(n)) }
            }
        }
        return scores.isEmpty ? nil : ScoreState(topologyScore: scores)
    }

    /// Score of one node: the sum over topology keys of its domain's total.
    public static func score(_ state: ScoreState, _ node: NodeEntry) -> Int64 {
        var s: Int64 = 0
        for (key, values) in state.topologyScore {
            if let v = node.labels[key] { s += values[v] ?? 0 }
        }
        return s
    }

    /// NormalizeScore: min–max to 0…100 (truncated, as kube's float conversion); all equal → 0.
    public static func normalize(_ scores: inout [Int64]) {
        guard let lo = scores.min(), let hi = scores.max() else { return }
        let diff = hi - lo
        for i in scores.indices {
            scores[i] = diff > 0 ? Int64(Double(Scores.maxNodeScore) * (Double(scores[i] - lo) / Double(diff))) : 0
        }
    }
}

extension FilterStatus {
    public static let podAffinityRules = FilterStatus(reasons: [InterPodAffinity.affinityRulesNotMatch], resolvable: false)
    public static let podAntiAffinityRules = FilterStatus(reasons: [InterPodAffinity.antiAffinityRulesNotMatch], resolvable: true)
    public static let existingPodsAntiAffinityRules = FilterStatus(reasons: [InterPodAffinity.existingAntiAffinityRulesNotMatch],
                                                                   resolvable: true)
}
