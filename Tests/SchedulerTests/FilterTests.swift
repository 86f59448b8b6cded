import KubeAPI
import Testing
@testable import Scheduler

@Suite struct FilterTests {
    func check(_ p: Pod, _ n: Node, bound: [Pod] = []) -> FilterStatus? {
        var s = snapshot([n], pods: bound)
        let i = info(p, &s)
        return Filters.check(i, s.node(named: n.metadata.name!)!)
    }

    @Test func unschedulableNode() {
        #expect(check(pod("p"), node("n", unschedulable: true)) == .unschedulable)
        let tol = Toleration(key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule")
        #expect(check(pod("p", tolerations: [tol]), node("n", unschedulable: true)) == nil)
    }

    @Test func notReadyNodeIsTaintedImplicitly() {
        #expect(check(pod("p"), node("n", ready: "False"))?.reasons == ["node(s) had untolerated taint {node.kubernetes.io/not-ready: }"])
        #expect(check(pod("p"), node("n", ready: "Unknown"))?.reasons == ["node(s) had untolerated taint {node.kubernetes.io/unreachable: }"])
        let tol = Toleration(key: "node.kubernetes.io/not-ready", operator: "Exists")
        #expect(check(pod("p", tolerations: [tol]), node("n", ready: "False")) == nil)
    }

    @Test func taintsEqualExistsAndEffects() {
        let t = Taint(key: "dedicated", value: "gpu", effect: "NoSchedule")
        #expect(check(pod("p"), node("n", taints: [t]))?.reasons == ["node(s) had untolerated taint {dedicated: gpu}"])
        #expect(check(pod("p"), node("n", taints: [t]))?.resolvable == false)
        #expect(check(pod("p", tolerations: [Toleration(key: "dedicated", value: "gpu")]), node("n", taints: [t])) == nil)
        #expect(check(pod("p", tolerations: [Toleration(key: "dedicated", value: "cpu")]), node("n", taints: [t])) != nil)
        #expect(check(pod("p", tolerations: [Toleration(key: "dedicated", operator: "Exists")]), node("n", taints: [t])) == nil)
        // Wrong effect does not tolerate; empty effect tolerates all effects.
        #expect(check(pod("p", tolerations: [Toleration(key: "dedicated", operator: "Exists", effect: "NoExecute")]),
                      node("n", taints: [t])) != nil)
        #expect(check(pod("p", tolerations: [Toleration(operator: "Exists")]), node("n", taints: [t])) == nil)
        // PreferNoSchedule never filters.
        #expect(check(pod("p"), node("n", taints: [Taint(key: "soft", effect: "PreferNoSchedule")])) == nil)
        // NoExecute filters too.
        #expect(check(pod("p"), node("n", taints: [Taint(key: "x", value: "y", effect: "NoExecute")]))?.reasons
            == ["node(s) had untolerated taint {x: y}"])
        // The control-plane taint renders an empty value.
        #expect(check(pod("p"), node("n", taints: [controlPlaneTaint]))?.reasons
            == ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"])
    }

    @Test func firstUntoleratedTaintIsReported() {
        let a = Taint(key: "a", value: "1", effect: "NoSchedule")
        let b = Taint(key: "b", value: "2", effect: "NoSchedule")
        let p = pod("p", tolerations: [Toleration(key: "a", operator: "Exists")])
        #expect(check(p, node("n", taints: [a, b]))?.reasons == ["node(s) had untolerated taint {b: 2}"])
    }

    @Test func resources() {
        let n = node("n", cpu: "1", memory: "1Gi", pods: 2)
        #expect(check(pod("p", [container(cpu: "1")]), n) == nil)
        #expect(check(pod("p", [container(cpu: "1001m")]), n)?.reasons == ["Insufficient cpu"])
        #expect(check(pod("p", [container(cpu: "2", memory: "2Gi")]), n)?.reasons == ["Insufficient cpu", "Insufficient memory"])
        // Bigger than the node: preemption cannot help.
        #expect(check(pod("p", [container(cpu: "2")]), n)?.resolvable == false)
        let bound = [pod("b1", [container(cpu: "600m", memory: "512Mi")], nodeName: "n")]
        let s = check(pod("p", [container(cpu: "500m", memory: "100Mi")]), n, bound: bound)
        #expect(s?.reasons == ["Insufficient cpu"])
        #expect(s?.resolvable == true)
        // Best effort pods still count against the pod limit.
        let full = [pod("b1", nodeName: "n"), pod("b2", nodeName: "n")]
        #expect(check(pod("p"), n, bound: full)?.reasons == ["Too many pods"])
        // Finished pods free their resources.
        let done = [pod("b1", [container(cpu: "1")], nodeName: "n", phase: "Succeeded")]
        #expect(check(pod("p", [container(cpu: "1")]), n, bound: done) == nil)
    }

    @Test func initContainerRequestsCountForFit() {
        var p = pod("p", [container(cpu: "100m")])
        p.spec?.initContainers = [container("init", cpu: "3")]
        #expect(check(p, node("n", cpu: "2"))?.reasons == ["Insufficient cpu"])
    }

    @Test func nodeSelectorAndAffinity() {
        let n = node("n", labels: ["disk": "ssd", "zone": "a", "cores": "8"])
        #expect(check(pod("p", nodeSelector: ["disk": "ssd"]), n) == nil)
        #expect(check(pod("p", nodeSelector: ["disk": "hdd"]), n) == .affinity)
        #expect(FilterStatus.affinity.reasons == ["node(s) didn't match Pod's node affinity/selector"])
        func withAffinity(_ terms: [NodeSelectorTerm]) -> Pod {
            var p = pod("p")
            var a = Affinity()
            var na = NodeAffinity()
            na.requiredDuringSchedulingIgnoredDuringExecution = NodeSelector(nodeSelectorTerms: terms)
            a.nodeAffinity = na
            p.spec?.affinity = a
            return p
        }
        let inB = NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: "In", values: ["b"])])
        let inA = NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "zone", operator: "In", values: ["a"])])
        let gt = NodeSelectorTerm(matchExpressions: [NodeSelectorRequirement(key: "cores", operator: "Gt", values: ["4"])])
        let byName = NodeSelectorTerm(matchFields: [NodeSelectorRequirement(key: "metadata.name", operator: "In", values: ["n"])])
        #expect(check(withAffinity([inB]), n) == .affinity)
        #expect(check(withAffinity([inB, inA]), n) == nil)  // terms are ORed
        #expect(check(withAffinity([gt]), n) == nil)
        #expect(check(withAffinity([byName]), n) == nil)
        #expect(check(withAffinity([NodeSelectorTerm()]), n) == .affinity)  // an empty term matches nothing
    }

    @Test func hostPorts() {
        let n = node("n")
        let used = [pod("b", [container(hostPort: 8080)], nodeName: "n")]
        #expect(check(pod("p", [container(hostPort: 8080)]), n, bound: used) == .ports)
        #expect(check(pod("p", [container(hostPort: 8081)]), n, bound: used) == nil)
        #expect(check(pod("p", [container(hostPort: 8080, proto: "UDP")]), n, bound: used) == nil)
        // 0.0.0.0 overlaps a specific address; two specific addresses do not.
        #expect(check(pod("p", [container(hostPort: 8080, hostIP: "10.0.0.1")]), n, bound: used) == .ports)
        let specific = [pod("b", [container(hostPort: 9000, hostIP: "10.0.0.1")], nodeName: "n")]
        #expect(check(pod("p", [container(hostPort: 9000, hostIP: "10.0.0.2")]), n, bound: specific) == nil)
        #expect(check(pod("p", [container(hostPort: 9000)]), n, bound: specific) == .ports)
        #expect(FilterStatus.ports.resolvable)
    }

    @Test func nodeNameSetByUser() {
        var p = pod("p")
        p.spec?.nodeName = "other"
        var s = snapshot([node("n")])
        #expect(Filters.check(info(p, &s), s.node(named: "n")!) == .nodeName)
    }

    @Test func pluginOrderFirstFailureWins() {
        // Unschedulable and tainted and too small: only the first plugin's reason is reported.
        let n = node("n", cpu: "1", taints: [controlPlaneTaint], unschedulable: true)
        #expect(check(pod("p", [container(cpu: "2")]), n) == .unschedulable)
        let n2 = node("n", cpu: "1", taints: [controlPlaneTaint])
        #expect(check(pod("p", [container(cpu: "2")]), n2)?.reasons.first?.hasPrefix("node(s) had untolerated taint") == true)
    }
}
