import KubeAPI

/// Nodes and what their bound pods use, updated incrementally from pod and node events (never rebuilt
/// per scheduling cycle). Node slots are stable: a deleted node's slot is reused by the next new node.
public struct SchedulerSnapshot: Sendable {
    public private(set) var slots: [NodeEntry?] = []
    /// Live slots in insertion order: the order the scheduler walks (with a rotating start).
    public private(set) var live: [Int] = []
    private var slotByName: [String: Int] = [:]
    private var freeSlots: [Int] = []
    private var pods: [String: AssignedPod] = [:]
    private var podsByNode: [String: Set<String>] = [:]
    private var ownerIDs: [String: Int32] = [:]
    /// Per slot, the plain numbers the hot loop reads (kept in step with `slots`).
    public private(set) var numbers: [NodeNumbers] = []
    /// Per owner, pods per slot: spreading reads one owner's map instead of every node's.
    public private(set) var ownerSlots: [Int32: [Int32: Int32]] = [:]
    private var zoneIDs: [String: Int32] = [:]
    public var zoneCount: Int { zoneIDs.count }
    /// Existing pods' terms toward other pods, grouped (the pods of one Deployment share theirs), with
    /// how many pods on each slot carry each: PreFilter and PreScore match each distinct term against
    /// the incoming pod once, where kube walks every pod with terms. Required anti-affinity for the
    /// filter; required affinity (at hardPodAffinityWeight) and preferred terms (anti ones with
    /// negative weight) for the score. Both empty in a cluster without such pods, which is what
    /// lets inter-pod affinity skip at once.
    public private(set) var antiAffinityTerms: [AffinityTerm: [Int32: Int32]] = [:]
    public private(set) var scoringTerms: [WeightedAffinityTerm: [Int32: Int32]] = [:]
    /// Namespace labels for terms with a namespaceSelector.
    public private(set) var namespaceLabels = NamespaceLabels()

    public init() {}

    public var nodeCount: Int { live.count }
    public var podCount: Int { pods.count }
    public func node(named name: String) -> NodeEntry? { slotByName[name].flatMap { slots[$0] } }
    public func slot(named name: String) -> Int? { slotByName[name] }
    public func isAccounted(_ podKey: String) -> Bool { pods[podKey] != nil }
    /// The labels of an accounted pod (what inter-pod affinity matches against).
    public func labels(ofPod podKey: String) -> [String: String]? { pods[podKey]?.affinity.labels }

    /// The interned id of a controller owner uid (stable for the snapshot's life).
    public mutating func ownerID(_ uid: String) -> Int32 {
        if let id = ownerIDs[uid] { return id }
        let id = Int32(ownerIDs.count)
        ownerIDs[uid] = id
        return id
    }

    public func existingOwnerID(_ uid: String) -> Int32? { ownerIDs[uid] }

    public func numbers(named name: String) -> NodeNumbers? { slotByName[name].map { numbers[$0] } }

    private mutating func refresh(_ s: Int) {
        guard let e = slots[s] else {
            numbers[s] = NodeNumbers()
            return
        }
        var zone: Int32 = -1
        if let z = e.zone {
            if let id = zoneIDs[z] {
                zone = id
            } else {
                zone = Int32(zoneIDs.count)
                zoneIDs[z] = zone
            }
        }
        numbers[s] = NodeNumbers(e, zoneID: zone)
    }

    private mutating func setOwnerCounts(slot s: Int, _ counts: [Int32: Int32], present: Bool) {
        for (o, n) in counts { ownerSlots[o, default: [:]][Int32(s)] = present ? n : nil }
    }

    /// Counts (sign +1) or uncounts (−1) a pod's own terms on slot `s`.
    private mutating func indexTerms(_ a: AffinityPod, slot s: Int, sign: Int32) {
        guard let t = a.terms else { return }
        let slot = Int32(s)
        for term in t.requiredAntiAffinity { Self.bump(&antiAffinityTerms, term, slot, sign) }
        for term in t.requiredAffinity {
            Self.bump(&scoringTerms, WeightedAffinityTerm(weight: InterPodAffinity.hardPodAffinityWeight, term: term), slot, sign)
        }
        for w in t.preferredAffinity { Self.bump(&scoringTerms, w, slot, sign) }
        for w in t.preferredAntiAffinity { Self.bump(&scoringTerms, WeightedAffinityTerm(weight: -w.weight, term: w.term), slot, sign) }
    }

    private static func bump<K: Hashable>(_ index: inout [K: [Int32: Int32]], _ key: K, _ slot: Int32, _ sign: Int32) {
        let n = (index[key]?[slot] ?? 0) + sign
        if n > 0 {
            index[key, default: [:]][slot] = n
        } else {
            index[key]?[slot] = nil
            if index[key]?.isEmpty == true { index[key] = nil }
        }
    }

    private mutating func indexTerms(ofNode e: NodeEntry, slot s: Int, sign: Int32) {
        for a in e.pods where a.terms != nil { indexTerms(a, slot: s, sign: sign) }
    }

    private mutating func account(_ pod: AssignedPod, slot s: Int, sign: Int64) {
        slots[s]?.add(pod, sign: sign)
        refresh(s)
        if let o = pod.ownerID {
            ownerSlots[o, default: [:]][Int32(s)] = slots[s]?.ownerCounts[o]
        }
        indexTerms(pod.affinity, slot: s, sign: Int32(sign))
    }

    // MARK: Namespaces

    /// Records a namespace's labels (for namespaceSelector terms); true when they differ from what
    /// terms were matched against before (an unknown namespace counts as having only its name label).
    @discardableResult
    public mutating func upsertNamespace(_ ns: Namespace) -> Bool {
        guard let name = ns.metadata.name else { return false }
        let before = namespaceLabels.labels(of: name)
        let labels = ns.metadata.labels ?? [:]
        namespaceLabels.known[name] = labels
        return before != labels
    }

    public mutating func removeNamespace(named name: String) { namespaceLabels.known[name] = nil }

    // MARK: Nodes

    public mutating func upsertNode(_ node: Node) {
        guard let name = node.metadata.name else { return }
        var entry = NodeEntry(node)
        if let s = slotByName[name], let old = slots[s] {
            entry.takeUsage(from: old)
            slots[s] = entry
            refresh(s)
            return
        }
        // A node (re)appearing: count the pods already bound to it by name.
        for key in podsByNode[name] ?? [] {
            if let p = pods[key] { entry.add(p, sign: 1) }
        }
        let s: Int
        if let free = freeSlots.popLast() {
            s = free
            slots[s] = entry
        } else {
            s = slots.count
            slots.append(entry)
            numbers.append(NodeNumbers())
        }
        slotByName[name] = s
        live.append(s)
        refresh(s)
        setOwnerCounts(slot: s, entry.ownerCounts, present: true)
        indexTerms(ofNode: entry, slot: s, sign: 1)
    }

    public mutating func removeNode(named name: String) {
        guard let s = slotByName.removeValue(forKey: name) else { return }
        if let old = slots[s] {
            setOwnerCounts(slot: s, old.ownerCounts, present: false)
            indexTerms(ofNode: old, slot: s, sign: -1)
        }
        slots[s] = nil
        refresh(s)
        freeSlots.append(s)
        if let i = live.firstIndex(of: s) { live.remove(at: i) }
    }

    // MARK: Pods

    public static func key(of pod: Pod) -> String { (pod.metadata.namespace ?? "") + "/" + (pod.metadata.name ?? "") }

    /// Accounts `pod` if it is bound and not finished; forgets it otherwise (an update that moves a pod
    /// to Succeeded/Failed releases its resources, as kube's cache does).
    public mutating func upsertPod(_ pod: Pod) {
        let key = Self.key(of: pod)
        let phase = pod.status?.phase
        guard let nodeName = pod.spec?.nodeName, !nodeName.isEmpty, phase != "Succeeded", phase != "Failed" else {
            removePod(key: key)
            return
        }
        let owner = pod.metadata.controllerRef.map { ownerID($0.uid) }
        assume(AssignedPod(key: key, nodeName: nodeName, requests: PodRequests(pod.spec), ownerID: owner, affinity: AffinityPod(pod, key: key)))
    }

    /// Accounts a pod on a node before the API server has confirmed the binding (kube's "assume").
    public mutating func assume(_ pod: AssignedPod) {
        removePod(key: pod.key)
        pods[pod.key] = pod
        podsByNode[pod.nodeName, default: []].insert(pod.key)
        if let s = slotByName[pod.nodeName] { account(pod, slot: s, sign: 1) }
    }

    public mutating func removePod(_ pod: Pod) { removePod(key: Self.key(of: pod)) }

    public mutating func removePod(key: String) {
        guard let old = pods.removeValue(forKey: key) else { return }
        podsByNode[old.nodeName]?.remove(key)
        if podsByNode[old.nodeName]?.isEmpty == true { podsByNode[old.nodeName] = nil }
        if let s = slotByName[old.nodeName] { account(old, slot: s, sign: -1) }
    }
}
