import FoundationEssentials

/// `kubectl get services`, `endpoints` and `endpointslices`.
enum ServicePrinters {
    /// NAME, TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE; wide SELECTOR.
    static let services = ResourcePrinter(
        columns: [
            TableColumn.name,
            TableColumn("Type", "How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName."),
            TableColumn("Cluster-IP", "The virtual IP the service answers on inside the cluster."),
            TableColumn("External-IP", "Addresses the service answers on from outside the cluster."),
            TableColumn("Port(s)", "The ports the service exposes (port[:nodePort]/protocol)."),
            TableColumn.age,
            TableColumn("Selector", priority: 1, "The labels of the pods the service routes to."),
        ],
        row: { svc, now in
            let type = svc.string("spec", "type").flatMap { $0.isEmpty ? nil : $0 } ?? "ClusterIP"
            var clusterIP = svc.array("spec", "clusterIPs").first?.stringValue
                ?? svc.string("spec", "clusterIP") ?? ""
            if clusterIP.isEmpty { clusterIP = "<none>" }
            var ports = portString(svc.array("spec", "ports"))
            if ports.isEmpty { ports = "<none>" }
            return PrintedRow(cells: [
                .string(svc.name), .string(type), .string(clusterIP), .string(externalIP(svc, type: type)),
                .string(ports), svc.age(now), .string(PrinterFormat.labels(svc.stringMap("spec", "selector"))),
            ])
        })

    /// `makePortString`: "80/TCP,443:30443/TCP".
    static func portString(_ ports: [JSONValue]) -> String {
        ports.map { p in
            let proto = p.string("protocol").flatMap { $0.isEmpty ? nil : $0 } ?? "TCP"
            let nodePort = p.int("nodePort")
            return nodePort > 0 ? "\(p.int("port")):\(nodePort)/\(proto)" : "\(p.int("port"))/\(proto)"
        }.joined(separator: ",")
    }

    static let loadBalancerWidth = 16

    /// `getServiceExternalIP` as the server prints it (wide, so load balancer addresses are not cut).
    static func externalIP(_ svc: JSONValue, type: String) -> String {
        let externalIPs = svc.array("spec", "externalIPs").compactMap(\.stringValue)
        switch type {
        case "ClusterIP", "NodePort":
            return externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        case "LoadBalancer":
            // loadBalancerStatusStringer: each ingress's IP, else its hostname, as a sorted set.
            let ingress = Set(svc.array("status", "loadBalancer", "ingress").compactMap { i -> String? in
                if let ip = i.string("ip"), !ip.isEmpty { return ip }
                if let host = i.string("hostname"), !host.isEmpty { return host }
                return nil
            }).sorted()
            let all = ingress + externalIPs
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        case "ExternalName":
            return svc.string("spec", "externalName") ?? ""
        default:
            return "<unknown>"
        }
    }

    /// NAME, ENDPOINTS ("10.0.0.1:80,10.0.0.2:80 + 3 more..."), AGE.
    static let endpoints = ResourcePrinter(
        columns: [TableColumn.name, TableColumn("Endpoints", "The ready addresses and ports of the endpoints."),
                  TableColumn.age],
        row: { ep, now in
            PrintedRow(cells: [.string(ep.name), .string(formatEndpoints(ep.array("subsets"))), ep.age(now)])
        })

    /// `formatEndpoints`: at most three ip:port pairs (bare IPs for a subset without ports).
    static func formatEndpoints(_ subsets: [JSONValue]) -> String {
        if subsets.isEmpty { return "<none>" }
        let max = 3
        var list: [String] = []
        var more = false
        var count = 0
        for subset in subsets {
            let addresses = subset.array("addresses").map { $0.string("ip") ?? "" }
            let ports = subset.array("ports")
            if ports.isEmpty {
                count += addresses.count
                for ip in addresses {
                    if list.count == max { more = true; break }
                    list.append(ip)
                }
                continue
            }
            for port in ports {
                count += addresses.count
                for ip in addresses {
                    if list.count == max { more = true; break }
                    // net.JoinHostPort brackets IPv6 addresses.
                    list.append(ip.contains(":") ? "[\(ip)]:\(port.int("port"))" : "\(ip):\(port.int("port"))")
                }
            }
        }
        let joined = list.joined(separator: ",")
        if more { return "\(joined) + \(count - max) more..." }
        return joined.isEmpty ? "<none>" : joined
    }

    /// NAME, ADDRESSTYPE, PORTS, ENDPOINTS, AGE.
    static let endpointSlices = ResourcePrinter(
        columns: [
            TableColumn.name,
            TableColumn("AddressType", "The type of address the slice carries: IPv4, IPv6 or FQDN."),
            TableColumn("Ports", "The ports of the slice's endpoints."),
            TableColumn("Endpoints", "The addresses of the slice's endpoints."),
            TableColumn.age,
        ],
        row: { slice, now in
            let max = 3
            var ports: [String] = []
            var morePorts = false
            let portList = slice.array("ports")
            for p in portList {
                if ports.count < max {
                    if let n = p.value(at: ["port"])?.integerValue { ports.append(String(n)) }
                    else if let name = p.string("name") { ports.append(name) }
                    else { ports.append("*") }
                } else if ports.count == max {
                    morePorts = true
                }
            }
            var addresses: [String] = []
            var moreAddresses = false
            var addressCount = 0
            for e in slice.array("endpoints") {
                for a in e.array("addresses") {
                    if addresses.count < max { addresses.append(a.stringValue ?? "") }
                    else if addresses.count == max { moreAddresses = true }
                    addressCount += 1
                }
            }
            return PrintedRow(cells: [
                .string(slice.name), .string(slice.string("addressType") ?? ""),
                .string(PrinterFormat.listWithMore(ports, more: morePorts, count: portList.count, max: max)),
                .string(PrinterFormat.listWithMore(addresses, more: moreAddresses, count: addressCount, max: max)),
                slice.age(now),
            ])
        })
}
