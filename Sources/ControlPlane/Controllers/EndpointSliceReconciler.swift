import KubeAPI

/// What the EndpointSlice controller should write for one Service.
public struct EndpointSlicePlan: Sendable {
    public var create: [EndpointSlice] = []
    public var update: [EndpointSlice] = []
    public var delete: [EndpointSlice] = []
    public var isEmpty: Bool { create.isEmpty && update.isEmpty && delete.isEmpty }
}

/// The EndpointSlice controller's reconcile as a pure function: the Service's selected pods become
/// endpoints (one per pod IP, with ready/serving/terminating, nodeName, zone and a Pod targetRef),
/// grouped by their resolved ports and address family, packed at most 100 per slice. Endpoints that
/// stay keep their slice; new ones fill free room, then new slices (generateName "<svc>-").
/// A Service without a selector is left alone (its slices are someone else's).
public enum EndpointSliceReconciler {
    public static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    public static let controllerName = "endpointslice-controller.k8s.io"
    public static let maxEndpointsPerSlice = 100

    /// The endpoint and resolved ports for one pod, or nil when the pod is not an endpoint.
    public static func endpoint(for pod: Pod, service: Service, nodes: [String: Node]) -> (Endpoint, [EndpointSlicePort], String)? {
        guard let ip = pod.status?.podIP, !ip.isEmpty else { return nil }
        let phase = pod.status?.phase
        if phase == "Succeeded" || phase == "Failed" { return nil }
        let serving = PodState.isReady(pod)
        let terminating = pod.metadata.deletionTimestamp != nil
        let ready = (service.spec?.publishNotReadyAddresses ?? false) || (serving && !terminating)
        var ep = Endpoint(addresses: [ip], conditions: EndpointConditions(ready: ready, serving: serving, terminating: terminating))
        let nodeName = pod.spec?.nodeName.flatMap { $0.isEmpty ? nil : $0 }
        ep.nodeName = nodeName
        ep.zone = nodeName.flatMap { nodes[$0]?.metadata.labels?["topology.kubernetes.io/zone"] }
        if let h = pod.spec?.hostname, !h.isEmpty, pod.spec?.subdomain == service.metadata.name { ep.hostname = h }
        ep.targetRef = ObjectReference(kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid)
        var ports: [EndpointSlicePort] = []
        for sp in service.spec?.ports ?? [] {
            guard let port = resolve(sp, in: pod) else { continue }
            var p = EndpointSlicePort(name: sp.name ?? "", protocol: sp.protocol ?? "TCP", port: port)
            p.appProtocol = sp.appProtocol
            ports.append(p)
        }
        let family = ip.contains(":") ? "IPv6" : "IPv4"
        return (ep, ports, family)
    }

    /// `podutil.FindPort`: a named targetPort is looked up among the pod's container ports with the
    /// same protocol; a number is used as is; none means the Service port.
    public static func resolve(_ sp: ServicePort, in pod: Pod) -> Int32? {
        switch sp.targetPort {
        case nil: return sp.port
        case .int(let n): return n == 0 ? sp.port : n
        case .string(let name):
            if let n = Int32(name) { return n }
            let proto = sp.protocol ?? "TCP"
            for c in pod.spec?.containers ?? [] {
                for p in c.ports ?? [] where p.name == name && (p.protocol ?? "TCP") == proto { return p.containerPort }
            }
            return nil
        }
    }

    static func endpointKey(_ e: Endpoint) -> String { e.targetRef?.uid ?? e.addresses.joined(separator: ",") }

    public static func reconcile(service: Service, pods: [Pod], nodes: [String: Node], existing: [EndpointSlice]) -> EndpointSlicePlan {
        var plan = EndpointSlicePlan()
        guard let selectorMap = service.spec?.selector, !selectorMap.isEmpty, service.spec?.type != "ExternalName" else {
            return plan
        }
        let svcName = service.metadata.name ?? ""
        let ns = service.metadata.namespace
        let mine = existing.filter {
            $0.metadata.namespace == ns && $0.metadata.labels?[EndpointSlice.serviceNameLabel] == svcName
                && $0.metadata.labels?[managedByLabel] == controllerName
        }
        let selector = (try? Selector(matching: selectorMap)) ?? .nothing

        // Desired endpoints grouped by (family, ports).
        struct Group: Hashable { var family: String; var ports: [EndpointSlicePort] }
        var desired: [Group: [String: Endpoint]] = [:]
        var groupOrder: [Group] = []
        for pod in pods where pod.metadata.namespace == ns && selector.matches(pod.metadata.labels) {
            guard let (ep, ports, family) = endpoint(for: pod, service: service, nodes: nodes) else { continue }
            let g = Group(family: family, ports: ports)
            if desired[g] == nil { groupOrder.append(g) }
            desired[g, default: [:]][endpointKey(ep)] = ep
        }

        let labels = sliceLabels(service)
        let ownerRef = OwnerReference.controller(apiVersion: "v1", kind: "Service", service.metadata)
        var used = Set<String>()  // existing slice names kept

        for g in groupOrder {
            var remaining = desired[g] ?? [:]
            // Keep endpoints where they are.
            for slice in mine where slice.addressType == g.family && (slice.ports ?? []) == g.ports {
                guard let name = slice.metadata.name else { continue }
                var kept: [Endpoint] = []
                for e in slice.endpoints ?? [] {
                    if let want = remaining.removeValue(forKey: endpointKey(e)) { kept.append(want) }
                }
                used.insert(name)
                var s = slice
                s.endpoints = kept
                s.metadata.labels = (slice.metadata.labels ?? [:]).merging(labels) { $1 }
                plan.update.append(s)  // unchanged ones are dropped below
            }
            // Fill room in kept slices, then make new ones.
            var leftovers = remaining.keys.sorted().compactMap { remaining[$0] }
            for i in plan.update.indices where plan.update[i].addressType == g.family && (plan.update[i].ports ?? []) == g.ports {
                let room = maxEndpointsPerSlice - (plan.update[i].endpoints?.count ?? 0)
                if room > 0, !leftovers.isEmpty {
                    plan.update[i].endpoints = (plan.update[i].endpoints ?? []) + leftovers.prefix(room)
                    leftovers.removeFirst(min(room, leftovers.count))
                }
            }
            while !leftovers.isEmpty {
                let chunk = Array(leftovers.prefix(maxEndpointsPerSlice))
                leftovers.removeFirst(chunk.count)
                plan.create.append(newSlice(service, labels: labels, owner: ownerRef, family: g.family, ports: g.ports, endpoints: chunk))
            }
        }
        // Drop updates that change nothing, delete emptied or unused slices.
        let original = Dictionary(mine.compactMap { s in s.metadata.name.map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
        var updates: [EndpointSlice] = []
        for s in plan.update {
            if (s.endpoints ?? []).isEmpty {
                plan.delete.append(s)
            } else if original[s.metadata.name ?? ""] != s {
                updates.append(s)
            }
        }
        plan.update = updates
        for s in mine where !used.contains(s.metadata.name ?? "") { plan.delete.append(s) }
        plan.delete = plan.delete.map { original[$0.metadata.name ?? ""] ?? $0 }

        // A Service with no endpoints keeps one empty placeholder slice, as kube does.
        if plan.create.isEmpty && updates.isEmpty && mine.count == plan.delete.count {
            if let keep = mine.first(where: { ($0.endpoints ?? []).isEmpty && $0.ports == nil }) {
                plan.delete.removeAll { $0.metadata.name == keep.metadata.name }
            } else {
                plan.create.append(newSlice(service, labels: labels, owner: ownerRef, family: "IPv4", ports: nil, endpoints: []))
            }
        }
        return plan
    }

    static func sliceLabels(_ service: Service) -> [String: String] {
        var l = service.metadata.labels ?? [:]
        l[EndpointSlice.serviceNameLabel] = service.metadata.name ?? ""
        l[managedByLabel] = controllerName
        return l
    }

    static func newSlice(_ service: Service, labels: [String: String], owner: OwnerReference, family: String,
                         ports: [EndpointSlicePort]?, endpoints: [Endpoint]) -> EndpointSlice {
        var meta = ObjectMeta(namespace: service.metadata.namespace, labels: labels)
        meta.generateName = (service.metadata.name ?? "") + "-"
        meta.ownerReferences = [owner]
        return EndpointSlice(metadata: meta, addressType: family, endpoints: endpoints, ports: ports)
    }
}
