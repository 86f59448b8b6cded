import KubeAPI

/// The legacy `v1.Endpoints` object for a Service (kube's endpoints controller): ready pods under
/// `addresses`, not-ready ones under `notReadyAddresses` (terminating pods are dropped unless the
/// Service publishes not-ready addresses), subsets grouped by resolved ports, addresses sorted by IP.
/// Nil for a Service without a selector (its Endpoints are the user's).
public enum EndpointsReconciler {
    public static let skipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror"

    public static func desired(service: Service, pods: [Pod]) -> Endpoints? {
        guard let selectorMap = service.spec?.selector, !selectorMap.isEmpty, service.spec?.type != "ExternalName" else {
            return nil
        }
        let ns = service.metadata.namespace
        let selector = (try? Selector(matching: selectorMap)) ?? .nothing
        let publishNotReady = service.spec?.publishNotReadyAddresses ?? false
        struct Group { var ready: [EndpointAddress] = []; var notReady: [EndpointAddress] = [] }
        var groups: [[EndpointPort]: Group] = [:]
        var order: [[EndpointPort]] = []
        for pod in pods where pod.metadata.namespace == ns && selector.matches(pod.metadata.labels) {
            guard let ip = pod.status?.podIP, !ip.isEmpty else { continue }
            let phase = pod.status?.phase
            if phase == "Succeeded" || phase == "Failed" { continue }
            if !publishNotReady && pod.metadata.deletionTimestamp != nil { continue }
            var addr = EndpointAddress(ip: ip, nodeName: pod.spec?.nodeName,
                                       targetRef: ObjectReference(kind: "Pod", namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid))
            if let h = pod.spec?.hostname, !h.isEmpty, pod.spec?.subdomain == service.metadata.name { addr.hostname = h }
            var ports: [EndpointPort] = []
            for sp in service.spec?.ports ?? [] {
                guard let port = EndpointSliceReconciler.resolve(sp, in: pod) else { continue }
                var p = EndpointPort(name: sp.name, port: port, protocol: sp.protocol ?? "TCP")
                p.appProtocol = sp.appProtocol
                ports.append(p)
            }
            if groups[ports] == nil { order.append(ports) }
            if publishNotReady || PodState.isReady(pod) {
                groups[ports, default: Group()].ready.append(addr)
            } else {
                groups[ports, default: Group()].notReady.append(addr)
            }
        }
        var subsets: [EndpointSubset] = []
        for ports in order {
            guard let g = groups[ports] else { continue }
            let byIP: (EndpointAddress, EndpointAddress) -> Bool = { $0.ip < $1.ip }
            subsets.append(EndpointSubset(addresses: g.ready.isEmpty ? nil : g.ready.sorted(by: byIP),
                                          notReadyAddresses: g.notReady.isEmpty ? nil : g.notReady.sorted(by: byIP),
                                          ports: ports.isEmpty ? nil : ports))
        }
        var labels = service.metadata.labels ?? [:]
        labels[skipMirrorLabel] = "true"
        let meta = ObjectMeta(name: service.metadata.name, namespace: ns, labels: labels)
        return Endpoints(metadata: meta, subsets: subsets.isEmpty ? nil : subsets)
    }
}
