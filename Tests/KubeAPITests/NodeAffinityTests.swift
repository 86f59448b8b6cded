import Testing
@testable import KubeAPI

@Suite struct NodeAffinityTests {
    let node: Node = {
        var n = Node(metadata: ObjectMeta(name: "node-1", labels: ["zone": "a", "gpu": "2", "kubernetes.io/os": "linux"]))
        var spec = NodeSpec()
        spec.taints = [Taint(key: "dedicated", value: "gpu", effect: "NoSchedule"),
                       Taint(key: "soft", effect: "PreferNoSchedule")]
        n.spec = spec
        return n
    }()

    static let terms: [(NodeSelectorTerm, Bool)] = [
        (NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: "In", values: ["a", "b"])]), true),
        (NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: "NotIn", values: ["a"])]), false),
        (NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "gpu", operator: "Gt", values: ["1"])]), true),
        (NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "gpu", operator: "Lt", values: ["1"])]), false),
        (NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "ssd", operator: "DoesNotExist")]), true),
        (NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "ssd", operator: "Exists")]), false),
        (NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: "In", values: ["node-1"])]), true),
        (NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: "NotIn", values: ["node-1"])]), false),
        (NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "spec.x", operator: "In", values: ["node-1"])]), false),
        (NodeSelectorTerm(), false),
        (NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: "Bogus", values: ["a"])]), false),
    ]

    @Test(arguments: terms)
    func term(_ term: NodeSelectorTerm, _ expected: Bool) {
        #expect(term.matches(labels: node.metadata.labels!, nodeName: "node-1") == expected)
    }

    @Test func podSpec() {
        var spec = PodSpec(containers: [Container(name: "c")])
        #expect(spec.requiredNodeAffinityMatches(node))
        spec.nodeSelector = ["kubernetes.io/os": "linux"]
        #expect(spec.requiredNodeAffinityMatches(node))
        spec.nodeSelector = ["zone": "b"]
        #expect(!spec.requiredNodeAffinityMatches(node))
        spec.nodeSelector = nil
        var aff = NodeAffinity()
        aff.requiredDuringSchedulingIgnoredDuringExecution = NodeSelector(nodeSelectorTerms: [
            NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: "In", values: ["z"])]),
            NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "gpu", operator: "Exists")]),
        ])
        var affinity = Affinity()
        affinity.nodeAffinity = aff
        spec.affinity = affinity
        #expect(spec.requiredNodeAffinityMatches(node))
        #expect(!spec.toleratesTaints(of: node))
        spec.tolerations = [Toleration(key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule")]
        #expect(spec.toleratesTaints(of: node))
    }
}
