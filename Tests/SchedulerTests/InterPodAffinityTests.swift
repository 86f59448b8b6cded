import FoundationEssentials
import KubeAPI
import Testing
@testable import Scheduler

private let hostKey = "kubernetes.io/hostname"
private let zoneKey = NodeEntry.zoneLabel

/// A node labelled with its hostname and, when given, a zone.
private func hostNode(_ name: String, zone: String? = nil, cpu: String = "4", unschedulable: Bool = false) -> Node {
    var labels = [hostKey: name]
    if let zone { labels[zoneKey] = zone }
    return node(name, cpu: cpu, labels: labels, unschedulable: unschedulable)
}

private func term(_ match: [String: String]?, _ key: String = hostKey, namespaces: [String]? = nil,
                  namespaceSelector: LabelSelector? = nil) -> PodAffinityTerm {
    PodAffinityTerm(topologyKey: key, labelSelector: match.map { LabelSelector(matchLabels: $0) }, namespaces: namespaces,
                    namespaceSelector: namespaceSelector)
}

/// A pod with labels, a namespace and pod (anti-)affinity.
private func apod(_ name: String, labels: [String: String] = [:], namespace: String = "default", nodeName: String? = nil,
                  affinity: [PodAffinityTerm] = [], anti: [PodAffinityTerm] = [],
                  preferred: [WeightedPodAffinityTerm] = [], preferredAnti: [WeightedPodAffinityTerm] = []) -> Pod {
    var p = pod(name, nodeName: nodeName)
    p.metadata.namespace = namespace
    p.metadata.labels = labels.isEmpty ? nil : labels
    if !(affinity.isEmpty && anti.isEmpty && preferred.isEmpty && preferredAnti.isEmpty) {
        var a = Affinity()
        if !affinity.isEmpty || !preferred.isEmpty {
            var pa = PodAffinity()
            pa.requiredDuringSchedulingIgnoredDuringExecution = affinity.isEmpty ? nil : affinity
            pa.preferredDuringSchedulingIgnoredDuringExecution = preferred.isEmpty ? nil : preferred
            a.podAffinity = pa
        }
        if !anti.isEmpty || !preferredAnti.isEmpty {
            var pa = PodAffinity()
            pa.requiredDuringSchedulingIgnoredDuringExecution = anti.isEmpty ? nil : anti
            pa.preferredDuringSchedulingIgnoredDuringExecution = preferredAnti.isEmpty ? nil : preferredAnti
            a.podAntiAffinity = pa
        }
        p.spec?.affinity = a
    }
    return p
}

/// Schedules `p` `times` times (the seeded tie-break varies) and returns every node picked.
private func picks(_ p: Pod, _ s: inout SchedulerSnapshot, times: Int = 8) -> Set<String> {
    var algo = ScheduleAlgorithm(seed: 11)
    var out: Set<String> = []
    for _ in 0..<times {
        switch algo.schedule(info(p, &s), in: s) {
        case .node(let n): out.insert(n)
        case let other: out.insert("\(other)")
        }
    }
    return out
}

private func statuses(_ p: Pod, _ s: inout SchedulerSnapshot) -> [String: FilterStatus] {
    let i = info(p, &s)
    let state = InterPodAffinity.preFilter(i, s)
    var out: [String: FilterStatus] = [:]
    for slot in s.live {
        if let n = s.slots[slot], let st = Filters.check(i, n, state) { out[n.name] = st }
    }
    return out
}

@Suite struct InterPodAffinityFilterTests {
    @Test func requiredAffinityByHostnameFollowsTheMatchingPod() {
        var s = snapshot([hostNode("a"), hostNode("b"), hostNode("c")],
                         pods: [apod("db", labels: ["app": "db"], nodeName: "b")])
        #expect(picks(apod("web", affinity: [term(["app": "db"])]), &s) == ["b"])
        #expect(statuses(apod("web", affinity: [term(["app": "db"])]), &s) == ["a": .podAffinityRules, "c": .podAffinityRules])
    }

    @Test func requiredAffinityByZoneAcceptsEveryNodeOfTheZone() {
        var s = snapshot([hostNode("a1", zone: "z1"), hostNode("a2", zone: "z1"), hostNode("b1", zone: "z2")],
                         pods: [apod("db", labels: ["app": "db"], nodeName: "a1")])
        #expect(statuses(apod("web", affinity: [term(["app": "db"], zoneKey)]), &s) == ["b1": .podAffinityRules])
    }

    @Test func everyAffinityTermMustHoldAndOnePodMustMatchThemAll() {
        // db on a, cache on b: no single pod matches both selectors, and a pod with both labels
        // anywhere is what makes the hostname domains count.
        var s = snapshot([hostNode("a", zone: "z"), hostNode("b", zone: "z")],
                         pods: [apod("db", labels: ["app": "db"], nodeName: "a"), apod("cache", labels: ["tier": "cache"], nodeName: "b")])
        let both = apod("web", affinity: [term(["app": "db"], zoneKey), term(["tier": "cache"], zoneKey)])
        #expect(statuses(both, &s) == ["a": .podAffinityRules, "b": .podAffinityRules])
        s.upsertPod(apod("dbcache", labels: ["app": "db", "tier": "cache"], nodeName: "b"))
        #expect(statuses(both, &s).isEmpty)
    }

    @Test func unsatisfiableAffinityMessageAsKube() {
        var s = snapshot([hostNode("a", unschedulable: true), hostNode("b")],
                         pods: [apod("db", labels: ["app": "db"], nodeName: "a")])
        var algo = ScheduleAlgorithm()
        let r = algo.schedule(info(apod("web", affinity: [term(["app": "db"])]), &s), in: s)
        #expect(r.message == "0/2 nodes are available: 1 node(s) didn't match pod affinity rules, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..")
    }

    @Test func firstPodOfAGroupMayGoAnywhereIfItMatchesItsOwnTerms() {
        var s = snapshot([hostNode("a"), hostNode("b")], pods: [apod("other", labels: ["app": "other"], nodeName: "a")])
        let first = apod("web-1", labels: ["app": "web"], affinity: [term(["app": "web"], zoneKey)])
        // Zone key: neither node has it, so even the first pod fails (all topology labels must exist).
        #expect(statuses(first, &s) == ["a": .podAffinityRules, "b": .podAffinityRules])
        let byHost = apod("web-1", labels: ["app": "web"], affinity: [term(["app": "web"])])
        #expect(statuses(byHost, &s).isEmpty)
        // A pod that does not match its own selector gets no such pass.
        let stranger = apod("x", labels: ["app": "x"], affinity: [term(["app": "web"])])
        #expect(statuses(stranger, &s) == ["a": .podAffinityRules, "b": .podAffinityRules])
        // Once a member runs, the group follows it.
        s.upsertPod(apod("web-0", labels: ["app": "web"], nodeName: "b"))
        #expect(picks(byHost, &s) == ["b"])
    }

    @Test func incomingAntiAffinityAvoidsTheDomain() {
        var s = snapshot([hostNode("a1", zone: "z1"), hostNode("a2", zone: "z1"), hostNode("b1", zone: "z2")],
                         pods: [apod("web-0", labels: ["app": "web"], nodeName: "a1")])
        #expect(statuses(apod("web-1", anti: [term(["app": "web"])]), &s) == ["a1": .podAntiAffinityRules])
        #expect(picks(apod("web-1", anti: [term(["app": "web"], zoneKey)]), &s) == ["b1"])
        #expect(statuses(apod("web-1", anti: [term(["app": "web"], zoneKey)]), &s)
            == ["a1": .podAntiAffinityRules, "a2": .podAntiAffinityRules])
    }

    @Test func existingPodsAntiAffinityRepelsTheIncomingPod() {
        var s = snapshot([hostNode("a"), hostNode("b")],
                         pods: [apod("loner", labels: ["app": "loner"], nodeName: "a", anti: [term(["app": "web"])])])
        #expect(picks(apod("web", labels: ["app": "web"]), &s) == ["b"])
        // A pod the term does not select is not repelled.
        #expect(statuses(apod("db", labels: ["app": "db"]), &s).isEmpty)
        var one = snapshot([hostNode("a")], pods: [apod("loner", labels: ["app": "loner"], nodeName: "a", anti: [term(["app": "web"])])])
        var algo = ScheduleAlgorithm()
        let r = algo.schedule(info(apod("web", labels: ["app": "web"]), &one), in: one)
        #expect(r.message == "0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..")
    }

    @Test func theFirstFailingCheckNamesTheReason() {
        // Affinity is checked first, then the pod's anti-affinity, then existing pods'.
        var s = snapshot([hostNode("a"), hostNode("b")],
                         pods: [apod("db", labels: ["app": "db"], nodeName: "a"),
                                apod("loner", labels: ["app": "loner"], nodeName: "b", anti: [term(["app": "web"])])])
        let p = apod("web", labels: ["app": "web"], affinity: [term(["app": "db"])], anti: [term(["app": "db"])])
        #expect(statuses(p, &s) == ["a": .podAntiAffinityRules, "b": .podAffinityRules])
    }

    @Test func namespacesOfATerm() {
        var s = snapshot([hostNode("a"), hostNode("b")],
                         pods: [apod("db", labels: ["app": "db"], namespace: "data", nodeName: "b")])
        // Default: the pod's own namespace, where no db runs (and the pod is not a db itself).
        #expect(statuses(apod("web", affinity: [term(["app": "db"])]), &s).count == 2)
        #expect(picks(apod("web", affinity: [term(["app": "db"], namespaces: ["data"])]), &s) == ["b"])
        #expect(picks(apod("web", affinity: [term(["app": "db"], namespaceSelector: LabelSelector())]), &s) == ["b"])
        let byName = LabelSelector(matchLabels: [NamespaceLabels.nameLabel: "data"])
        #expect(picks(apod("web", affinity: [term(["app": "db"], namespaceSelector: byName)]), &s) == ["b"])
        // A label the snapshot was never told of does not match until the namespace is known.
        let byTeam = LabelSelector(matchLabels: ["team": "storage"])
        #expect(statuses(apod("web", affinity: [term(["app": "db"], namespaceSelector: byTeam)]), &s).count == 2)
        s.upsertNamespace(Namespace(metadata: ObjectMeta(name: "data", labels: ["team": "storage"])))
        #expect(picks(apod("web", affinity: [term(["app": "db"], namespaceSelector: byTeam)]), &s) == ["b"])
        // An existing pod's anti-affinity toward another namespace by selector.
        var t = snapshot([hostNode("a"), hostNode("b")],
                         pods: [apod("loner", nodeName: "a", anti: [term(["app": "web"], namespaceSelector: byName)])])
        #expect(picks(apod("web", labels: ["app": "web"], namespace: "data"), &t) == ["b"])
        #expect(statuses(apod("web", labels: ["app": "web"], namespace: "default"), &t).isEmpty)
    }

    @Test func nodesWithoutTheTopologyLabel() {
        // "bare" has no zone: it fails zone affinity, and zone anti-affinity does not count there.
        var s = snapshot([hostNode("a", zone: "z1"), hostNode("bare")],
                         pods: [apod("web-0", labels: ["app": "web"], nodeName: "a"),
                                apod("web-9", labels: ["app": "web"], nodeName: "bare")])
        #expect(picks(apod("x", affinity: [term(["app": "web"], zoneKey)]), &s) == ["a"])
        #expect(picks(apod("y", anti: [term(["app": "web"], zoneKey)]), &s) == ["bare"])
        // An existing pod's zone anti-affinity on a zoneless node repels no one.
        var t = snapshot([hostNode("a", zone: "z1"), hostNode("bare")],
                         pods: [apod("loner", nodeName: "bare", anti: [term(["app": "web"], zoneKey)])])
        #expect(statuses(apod("web", labels: ["app": "web"]), &t).isEmpty)
    }

    @Test func matchLabelKeysAndMismatchLabelKeys() {
        var s = snapshot([hostNode("a"), hostNode("b")],
                         pods: [apod("web-v1", labels: ["app": "web", "v": "1"], nodeName: "a"),
                                apod("web-v2", labels: ["app": "web", "v": "2"], nodeName: "b")])
        var same = term(["app": "web"])
        same.matchLabelKeys = ["v"]
        #expect(picks(apod("next", labels: ["v": "2"], affinity: [same]), &s) == ["b"])
        var other = term(["app": "web"])
        other.mismatchLabelKeys = ["v"]
        #expect(picks(apod("next", labels: ["v": "2"], anti: [other]), &s) == ["b"])
    }

    @Test func matchLabelKeysDecodeAsKubernetesWritesThem() throws {
        let json = #"{"topologyKey":"kubernetes.io/hostname","labelSelector":{"matchLabels":{"app":"web"}},"matchLabelKeys":["pod-template-hash"],"mismatchLabelKeys":["tenant"]}"#
        let t = try JSONDecoder().decode(PodAffinityTerm.self, from: Data(json.utf8))
        #expect(t.matchLabelKeys == ["pod-template-hash"])
        #expect(t.mismatchLabelKeys == ["tenant"])
        let back = try JSONDecoder().decode(PodAffinityTerm.self, from: JSONEncoder().encode(t))
        #expect(back == t)
    }
}

@Suite struct InterPodAffinityStateTests {
    @Test func nothingToDoWhenNoPodHasTerms() {
        var s = snapshot([hostNode("a"), hostNode("b")], pods: [apod("x", labels: ["app": "x"], nodeName: "a")])
        let plain = info(apod("p", labels: ["app": "x"]), &s)
        #expect(InterPodAffinity.preFilter(plain, s) == nil)
        #expect(InterPodAffinity.preScore(plain, s) == nil)
        #expect(s.antiAffinityTerms.isEmpty && s.scoringTerms.isEmpty)
    }

    @Test func termIndexFollowsPodsAndNodes() {
        var s = snapshot([hostNode("a"), hostNode("b")])
        let loner = { (name: String, node: String) in apod(name, nodeName: node, anti: [term(["app": "web"])]) }
        s.upsertPod(loner("loner-1", "a"))
        s.upsertPod(loner("loner-2", "a"))
        s.upsertPod(loner("loner-3", "b"))
        s.upsertPod(apod("fan", nodeName: "b", preferred: [WeightedPodAffinityTerm(weight: 5, podAffinityTerm: term(["app": "web"]))],
                         preferredAnti: [WeightedPodAffinityTerm(weight: 7, podAffinityTerm: term(["app": "db"]))]))
        s.upsertPod(apod("needy", nodeName: "b", affinity: [term(["app": "db"])]))
        let a = Int32(s.slot(named: "a")!), b = Int32(s.slot(named: "b")!)
        // Pods sharing a term share one entry, counted per slot.
        #expect(s.antiAffinityTerms.count == 1)
        #expect(s.antiAffinityTerms.values.first == [a: 2, b: 1])
        #expect(Set(s.scoringTerms.keys.map(\.weight)) == [5, -7, InterPodAffinity.hardPodAffinityWeight])
        // An existing pod's anti-affinity that does not select the pod: PreFilter skips.
        #expect(InterPodAffinity.preFilter(info(apod("db", labels: ["app": "db"]), &s), s) == nil)
        s.removeNode(named: "a")
        #expect(s.antiAffinityTerms.values.first == [b: 1])
        s.upsertNode(hostNode("a"))
        let a2 = Int32(s.slot(named: "a")!)
        #expect(s.antiAffinityTerms.values.first == [a2: 2, b: 1])
        // A node update (labels) keeps its pods.
        s.upsertNode(hostNode("a", zone: "z"))
        #expect(Set(s.node(named: "a")?.pods.map(\.key) ?? []) == ["default/loner-1", "default/loner-2"])
        for k in ["loner-1", "loner-2", "loner-3", "fan", "needy"] { s.removePod(key: "default/" + k) }
        #expect(s.antiAffinityTerms.isEmpty && s.scoringTerms.isEmpty)
        #expect(s.node(named: "a")?.pods.isEmpty == true)
    }

    /// The scheduler's own path: a chosen node is assumed before the binding returns, so the next
    /// pod sees it; a failed binding forgets it again.
    @Test func assumedPodsCountAndAFailedBindingForgetsThem() {
        var st = SchedulerState(seed: 3)
        st.nodeUpserted(hostNode("a"), now: 0)
        st.nodeUpserted(hostNode("b"), now: 0)
        let solo = { (name: String) in apod(name, labels: ["app": "solo"], anti: [term(["app": "solo"])]) }
        var placed: [String: String] = [:]
        for name in ["solo-1", "solo-2"] {
            st.podUpserted(solo(name), now: 0)
            guard case .bind(_, let n) = st.next(now: 0) else { Issue.record("\(name) not bound"); return }
            placed[name] = n
        }
        #expect(Set(placed.values) == ["a", "b"])
        st.podUpserted(solo("solo-3"), now: 0)
        guard case .unschedulable(_, let message) = st.next(now: 0) else { Issue.record("solo-3 placed"); return }
        #expect(message == "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..")
        st.bindFailed(solo("solo-1"), now: 1, podGone: true)
        var s = st.snapshot
        #expect(picks(solo("solo-3"), &s) == [placed["solo-1"]!])
    }

    /// A pod whose required affinity names pods not yet placed is retried once one is, not after
    /// kube's five-minute unschedulable timeout.
    @Test func aPodWaitingForItsAffinityIsRetriedWhenAMatchingPodIsPlaced() {
        var st = SchedulerState(seed: 5)
        st.nodeUpserted(hostNode("a"), now: 0)
        st.nodeUpserted(hostNode("b"), now: 0)
        st.podUpserted(apod("web", affinity: [term(["app": "db"])]), now: 0)
        guard case .unschedulable = st.next(now: 0) else { Issue.record("web placed without a db"); return }
        #expect(st.queue.unschedulableCount == 1)
        st.podUpserted(apod("db", labels: ["app": "db"]), now: 0.5)
        guard case .bind(_, let dbNode) = st.next(now: 0.5) else { Issue.record("db not placed"); return }
        #expect(st.queue.unschedulableCount == 0)
        // After web's one-second back-off it goes to the db's node.
        guard case .bind(_, let webNode) = st.next(now: 1.5) else { Issue.record("web not retried"); return }
        #expect(webNode == dbNode)
    }

    /// A placed pod taking the labels a parked pod's affinity asks for brings that pod back too.
    @Test func aPodWaitingForItsAffinityIsRetriedWhenAPlacedPodsLabelsChange() {
        var st = SchedulerState(seed: 5)
        st.nodeUpserted(hostNode("a"), now: 0)
        st.nodeUpserted(hostNode("b"), now: 0)
        st.podUpserted(apod("x", labels: ["app": "other"], nodeName: "a"), now: 0)
        st.podUpserted(apod("web", affinity: [term(["app": "db"])]), now: 0)
        guard case .unschedulable = st.next(now: 0) else { Issue.record("web placed without a db"); return }
        #expect(st.queue.unschedulableCount == 1)
        st.podUpserted(apod("x", labels: ["app": "other"], nodeName: "a"), now: 0.5)
        #expect(st.queue.unschedulableCount == 1, "an update that changes no label moves nothing")
        st.podUpserted(apod("x", labels: ["app": "db"], nodeName: "a"), now: 0.5)
        #expect(st.queue.unschedulableCount == 0)
        guard case .bind(_, let webNode) = st.next(now: 1.5) else { Issue.record("web not retried"); return }
        #expect(webNode == "a")
    }

    /// A namespace gaining the label a parked pod's namespaceSelector asks for brings that pod back.
    @Test func aPodWaitingOnANamespaceSelectorIsRetriedWhenTheNamespaceLabelsChange() {
        var st = SchedulerState(seed: 5)
        st.nodeUpserted(hostNode("a"), now: 0)
        st.nodeUpserted(hostNode("b"), now: 0)
        st.namespaceUpserted(Namespace(metadata: ObjectMeta(name: "data", labels: [NamespaceLabels.nameLabel: "data"])), now: 0)
        st.podUpserted(apod("db", labels: ["app": "db"], namespace: "data", nodeName: "b"), now: 0)
        let byTeam = LabelSelector(matchLabels: ["team": "storage"])
        st.podUpserted(apod("web", affinity: [term(["app": "db"], namespaceSelector: byTeam)]), now: 0)
        guard case .unschedulable = st.next(now: 0) else { Issue.record("web placed without a storage namespace"); return }
        #expect(st.queue.unschedulableCount == 1)
        st.namespaceUpserted(Namespace(metadata: ObjectMeta(name: "data", labels: [NamespaceLabels.nameLabel: "data"])), now: 0.5)
        #expect(st.queue.unschedulableCount == 1, "the same labels again move nothing")
        st.namespaceUpserted(Namespace(metadata: ObjectMeta(name: "data", labels: [NamespaceLabels.nameLabel: "data", "team": "storage"])), now: 0.5)
        #expect(st.queue.unschedulableCount == 0)
        guard case .bind(_, let webNode) = st.next(now: 1.5) else { Issue.record("web not retried"); return }
        #expect(webNode == "b")
    }
}

@Suite struct InterPodAffinityScoreTests {
    @Test func normalizeIsMinMax() {
        var x: [Int64] = [-5, 0, 5, 2]
        InterPodAffinity.normalize(&x)
        #expect(x == [0, 50, 100, 70])
        var same: [Int64] = [3, 3]
        InterPodAffinity.normalize(&same)
        #expect(same == [0, 0])
    }

    @Test func preferredAffinityWinsOverAnEmptierNode() {
        var s = snapshot([hostNode("a"), hostNode("b"), hostNode("c")],
                         pods: [apod("db", labels: ["app": "db"], nodeName: "b"),
                                pod("busy", [container(cpu: "2", memory: "4Gi")], nodeName: "b")])
        let p = apod("web", preferred: [WeightedPodAffinityTerm(weight: 100, podAffinityTerm: term(["app": "db"]))])
        #expect(picks(p, &s) == ["b"])
    }

    @Test func preferredAntiAffinityAvoids() {
        var s = snapshot([hostNode("a", zone: "z1"), hostNode("b", zone: "z1"), hostNode("c", zone: "z2")],
                         pods: [apod("web-0", labels: ["app": "web"], nodeName: "a")])
        let p = apod("web-1", preferredAnti: [WeightedPodAffinityTerm(weight: 50, podAffinityTerm: term(["app": "web"], zoneKey))])
        #expect(picks(p, &s) == ["c"])
    }

    @Test func weightsAddUpPerDomain() {
        // b: +80 (db) + 40 (its zone) − 30 (cache) = 90; c: +40 (same zone as the db); a: 0.
        var s = snapshot([hostNode("a", zone: "z1"), hostNode("b", zone: "z2"), hostNode("c", zone: "z2")],
                         pods: [apod("db", labels: ["app": "db"], nodeName: "b"), apod("cache", labels: ["app": "cache"], nodeName: "b")])
        let p = info(apod("web", preferred: [WeightedPodAffinityTerm(weight: 80, podAffinityTerm: term(["app": "db"])),
                                             WeightedPodAffinityTerm(weight: 40, podAffinityTerm: term(["app": "db"], zoneKey))],
                          preferredAnti: [WeightedPodAffinityTerm(weight: 30, podAffinityTerm: term(["app": "cache"]))]), &s)
        guard let state = InterPodAffinity.preScore(p, s) else { Issue.record("no score state"); return }
        let raw = ["a", "b", "c"].map { InterPodAffinity.score(state, s.node(named: $0)!) }
        #expect(raw == [0, 90, 40])
        var norm = raw
        InterPodAffinity.normalize(&norm)
        #expect(norm == [0, 100, 44])
    }

    @Test func existingPodsTermsTowardTheIncomingPodScore() {
        // An existing pod's preferred affinity draws, its preferred anti-affinity pushes away, and its
        // required affinity counts with hardPodAffinityWeight 1; two pods with one term count twice.
        let fan = { (name: String) in
            apod(name, nodeName: "a", preferred: [WeightedPodAffinityTerm(weight: 10, podAffinityTerm: term(["app": "web"]))])
        }
        var s = snapshot([hostNode("a"), hostNode("b"), hostNode("c")],
                         pods: [fan("fan-1"), fan("fan-2"),
                                apod("hater", nodeName: "b", preferredAnti: [WeightedPodAffinityTerm(weight: 10, podAffinityTerm: term(["app": "web"]))]),
                                apod("needy", nodeName: "c", affinity: [term(["app": "web"])])])
        let p = info(apod("web", labels: ["app": "web"]), &s)
        guard let state = InterPodAffinity.preScore(p, s) else { Issue.record("no score state"); return }
        #expect(["a", "b", "c"].map { InterPodAffinity.score(state, s.node(named: $0)!) } == [20, -10, 1])
        #expect(picks(apod("web", labels: ["app": "web"]), &s) == ["a"])
        // A pod none of those terms select is scored by nothing.
        #expect(InterPodAffinity.preScore(info(apod("db", labels: ["app": "db"]), &s), s) == nil)
    }
}
