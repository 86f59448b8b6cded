import KubeAPI
import Testing
@testable import Controllers

@Suite struct EndpointSliceTests {
    func service(selector: [String: String]? = ["app": "web"], ports: [ServicePort] = [ServicePort(name: "http", protocol: "TCP", port: 80, targetPort: "http")],
                 publishNotReady: Bool = false) -> Service {
        var s = ServiceSpec()
        s.selector = selector
        s.ports = ports
        s.publishNotReadyAddresses = publishNotReady ? true : nil
        var meta = ObjectMeta(name: "web", namespace: "default", labels: ["team": "a"])
        meta.uid = "uid-svc"
        return Service(metadata: meta, spec: s)
    }

    func pod(_ name: String, ip: String?, ready: Bool = true, node: String = "n1", terminating: Bool = false, port: Int32 = 8080) -> Pod {
        var p = readyPod(name, labels: ["app": "web"], node: node, ip: ip, ready: ready)
        p.spec?.containers[0].ports = [ContainerPort(containerPort: port, name: "http")]
        if terminating { p.metadata.deletionTimestamp = Time(seconds: 5) }
        return p
    }

    let nodes = ["n1": Node(metadata: ObjectMeta(name: "n1", labels: ["topology.kubernetes.io/zone": "z1"]))]

    @Test func endpointsWithConditionsPortsZone() throws {
        let pods = [pod("a", ip: "10.244.0.2"), pod("b", ip: "10.244.0.3", ready: false), pod("c", ip: "10.244.0.4", terminating: true),
                    pod("noip", ip: nil)]
        let plan = EndpointSliceReconciler.reconcile(service: service(), pods: pods, nodes: nodes, existing: [])
        #expect(plan.create.count == 1)
        let s = try #require(plan.create.first)
        #expect(s.metadata.generateName == "web-")
        #expect(s.metadata.labels?[EndpointSlice.serviceNameLabel] == "web")
        #expect(s.metadata.labels?[EndpointSliceReconciler.managedByLabel] == "endpointslice-controller.k8s.io")
        #expect(s.metadata.labels?["team"] == "a")
        #expect(s.metadata.ownerReferences?.first?.uid == "uid-svc")
        #expect(s.metadata.ownerReferences?.first?.kind == "Service")
        #expect(s.addressType == "IPv4")
        #expect(s.ports == [EndpointSlicePort(name: "http", protocol: "TCP", port: 8080)])
        let byIP = Dictionary(uniqueKeysWithValues: (s.endpoints ?? []).map { ($0.addresses[0], $0) })
        #expect(byIP.count == 3)
        #expect(byIP["10.244.0.2"]?.conditions == EndpointConditions(ready: true, serving: true, terminating: false))
        #expect(byIP["10.244.0.3"]?.conditions == EndpointConditions(ready: false, serving: false, terminating: false))
        #expect(byIP["10.244.0.4"]?.conditions == EndpointConditions(ready: false, serving: true, terminating: true))
        #expect(byIP["10.244.0.2"]?.nodeName == "n1")
        #expect(byIP["10.244.0.2"]?.zone == "z1")
        #expect(byIP["10.244.0.2"]?.targetRef?.name == "a")
        #expect(byIP["10.244.0.2"]?.targetRef?.kind == "Pod")
    }

    @Test func publishNotReadyMakesEveryEndpointReady() throws {
        let plan = EndpointSliceReconciler.reconcile(service: service(publishNotReady: true), pods: [pod("b", ip: "10.0.0.3", ready: false)],
                                                     nodes: [:], existing: [])
        #expect(plan.create.first?.endpoints?.first?.conditions?.ready == true)
    }

    @Test func portsByNumberAndDefaultAndUnresolvedName() throws {
        let svc = service(ports: [ServicePort(name: "a", port: 80, targetPort: 9000), ServicePort(name: "b", port: 81),
                                  ServicePort(name: "c", port: 82, targetPort: "missing")])
        let plan = EndpointSliceReconciler.reconcile(service: svc, pods: [pod("a", ip: "10.0.0.2")], nodes: [:], existing: [])
        #expect(plan.create.first?.ports?.map { $0.port } == [9000, 81])
    }

    @Test func podsWithDifferentPortsGetDifferentSlices() {
        let plan = EndpointSliceReconciler.reconcile(service: service(), pods: [pod("a", ip: "10.0.0.2", port: 8080), pod("b", ip: "10.0.0.3", port: 9090)],
                                                     nodes: [:], existing: [])
        #expect(plan.create.count == 2)
    }

    @Test func atMostOneHundredPerSliceAndStableOnResync() {
        let pods = (0..<250).map { pod("p\($0)", ip: "10.1.\($0 / 200).\($0 % 200 + 1)") }
        let plan = EndpointSliceReconciler.reconcile(service: service(), pods: pods, nodes: [:], existing: [])
        #expect(plan.create.map { $0.endpoints?.count ?? 0 } == [100, 100, 50])
        // Store them as the API server would (named), then resync: nothing to do.
        let stored = plan.create.enumerated().map { i, s -> EndpointSlice in
            var s = s
            s.metadata.name = "web-x\(i)"
            return s
        }
        let again = EndpointSliceReconciler.reconcile(service: service(), pods: pods, nodes: [:], existing: stored)
        #expect(again.isEmpty)
        // One pod goes: only its slice changes.
        let fewer = EndpointSliceReconciler.reconcile(service: service(), pods: Array(pods.dropFirst()), nodes: [:], existing: stored)
        #expect(fewer.create.isEmpty && fewer.delete.isEmpty)
        #expect(fewer.update.count == 1)
        // A new pod fills free room in the half-full slice.
        let more = EndpointSliceReconciler.reconcile(service: service(), pods: pods + [pod("new", ip: "10.9.9.9")], nodes: [:], existing: stored)
        #expect(more.create.isEmpty)
        #expect(more.update.map { $0.metadata.name } == ["web-x2"])
    }

    @Test func noEndpointsKeepsAPlaceholderAndSelectorlessServicesAreUntouched() {
        let plan = EndpointSliceReconciler.reconcile(service: service(), pods: [], nodes: [:], existing: [])
        #expect(plan.create.count == 1)
        #expect(plan.create.first?.endpoints == [])
        var placeholder = plan.create[0]
        placeholder.metadata.name = "web-p"
        #expect(EndpointSliceReconciler.reconcile(service: service(), pods: [], nodes: [:], existing: [placeholder]).isEmpty)
        // Pods arrive: placeholder replaced.
        let filled = EndpointSliceReconciler.reconcile(service: service(), pods: [pod("a", ip: "10.0.0.2")], nodes: [:], existing: [placeholder])
        #expect(filled.create.count == 1)
        #expect(filled.delete.map { $0.metadata.name } == ["web-p"])
        // Everything gone again: the slice with endpoints is deleted, a placeholder created.
        var full = filled.create[0]
        full.metadata.name = "web-q"
        let emptied = EndpointSliceReconciler.reconcile(service: service(), pods: [], nodes: [:], existing: [full])
        #expect(emptied.delete.map { $0.metadata.name } == ["web-q"])
        #expect(emptied.create.count == 1)
        #expect(EndpointSliceReconciler.reconcile(service: service(selector: nil), pods: [pod("a", ip: "10.0.0.2")], nodes: [:], existing: []).isEmpty)
    }

    @Test func legacyEndpoints() throws {
        let pods = [pod("b", ip: "10.0.0.3", ready: false), pod("a", ip: "10.0.0.2"), pod("c", ip: "10.0.0.4", terminating: true),
                    pod("z", ip: "10.0.0.1")]
        let e = try #require(EndpointsReconciler.desired(service: service(), pods: pods))
        #expect(e.metadata.name == "web")
        #expect(e.metadata.labels?[EndpointsReconciler.skipMirrorLabel] == "true")
        #expect(e.subsets?.count == 1)
        #expect(e.subsets?[0].addresses?.map(\.ip) == ["10.0.0.1", "10.0.0.2"])
        #expect(e.subsets?[0].notReadyAddresses?.map(\.ip) == ["10.0.0.3"])
        #expect(e.subsets?[0].ports == [EndpointPort(name: "http", port: 8080, protocol: "TCP")])
        #expect(EndpointsReconciler.desired(service: service(selector: nil), pods: pods) == nil)
        #expect(EndpointsReconciler.desired(service: service(), pods: [])?.subsets == nil)
    }
}
