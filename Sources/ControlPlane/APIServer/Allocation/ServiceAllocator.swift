import KubeAPI
import Store

/// The store operations that take (or give back) a Service's addresses atomically with the Service's
/// own write: one key per ClusterIP and per NodePort, created with `create_revision == 0` guards so two
/// Services can never commit the same one.
struct AllocationClaim: Sendable {
    var compares: [Compare] = []
    var ops: [RequestOp] = []
}

/// Assigns ClusterIPs from the service CIDR and NodePorts from the node port range, honouring values
/// a client asked for (or answering 422 when they are taken or out of range).
struct ServiceAllocator: Sendable {
    let client: any KeyValueClient
    let cidr: IPv4CIDR
    let nodePorts: ClosedRange<Int>

    static let ipPrefix = StorageKeys.root + "swiftlet/serviceips/"
    static let portPrefix = StorageKeys.root + "swiftlet/servicenodeports/"

    /// The allocation keys a Service holds.
    static func keys(_ service: JSONValue) -> Set<String> {
        var out = Set<String>()
        let spec = service["spec"]
        for ip in (spec?["clusterIPs"]?.arrayValue?.compactMap(\.stringValue) ?? [spec?["clusterIP"]?.stringValue].compactMap { $0 })
        where !ip.isEmpty && ip != "None" {
            out.insert(StorageKeys.clusterIPKey(ip))
        }
        for p in spec?["ports"]?.arrayValue ?? [] {
            if let np = p["nodePort"]?.integerValue, np > 0 {
                out.insert(StorageKeys.nodePortKey(Int(np), proto: p["protocol"]?.stringValue ?? "TCP"))
            }
        }
        return out
    }

    func releaseOps(_ strategy: ResourceStrategy, _ object: JSONValue) -> [RequestOp] {
        guard strategy.resource == "services" else { return [] }
        return ServiceAllocator.keys(object).sorted().map { .deleteRange(DeleteRangeRequest(key: Array($0.utf8))) }
    }

    func taken(_ prefix: String) async throws -> Set<String> {
        let p = Array(prefix.utf8)
        let r = try await client.range(RangeRequest(key: p, end: prefixRangeEnd(p), keysOnly: true))
        return Set(r.kvs.map { String(decoding: $0.key, as: UTF8.self) })
    }

    /// Fills in the Service's ClusterIP and NodePorts and returns the claim to commit with it.
    func claim(_ strategy: ResourceStrategy, _ service: inout JSONValue, old: JSONValue?) async throws -> AllocationClaim {
        guard strategy.resource == "services", var spec = service["spec"], spec.objectValue != nil else { return AllocationClaim() }
        let name = service.metaString("name") ?? ""
        let owner = JSONValue.string((service.metaString("namespace") ?? "") + "/" + name)
        let oldKeys = old.map(ServiceAllocator.keys) ?? []
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        var errors: [FieldError] = []

        if type == "ExternalName" {
            spec["clusterIP"] = nil
            spec["clusterIPs"] = nil
        } else {
            var ip = spec["clusterIP"]?.stringValue ?? spec["clusterIPs"]?.arrayValue?.first?.stringValue ?? ""
            if ip.isEmpty, let oldIP = old?["spec"]?["clusterIP"]?.stringValue { ip = oldIP }
            if ip.isEmpty {
                let used = try await taken(ServiceAllocator.ipPrefix)
                guard let free = pickFreeIP(used) else {
                    throw Status.internalError("failed to allocate a serviceIP: range is full")
                }
                ip = free
            } else if ip != "None" {
                if let addr = IPv4CIDR.parseAddress(ip) {
                    if !cidr.contains(addr) {
                        errors.append(FieldError(.invalid, field: "spec.clusterIPs", value: "[]string{\"\(ip)\"}",
                                                 detail: "failed to allocate IP \(ip): the provided IP (\(ip)) is not in the valid range. The range of valid IPs is \(cidr)"))
                    } else if !oldKeys.contains(StorageKeys.clusterIPKey(ip)),
                              try await client.range(RangeRequest(key: Array(StorageKeys.clusterIPKey(ip).utf8))).kvs.first != nil {
                        errors.append(FieldError(.invalid, field: "spec.clusterIPs", value: "[]string{\"\(ip)\"}",
                                                 detail: "failed to allocate IP \(ip): provided IP is already allocated"))
                    }
                } else {
                    errors.append(.invalid("spec.clusterIP", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
                }
            }
            spec["clusterIP"] = .string(ip)
            spec["clusterIPs"] = .array([.string(ip)])
            if spec["ipFamilies"] == nil { spec["ipFamilies"] = .array([.string("IPv4")]) }
            if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = .string("SingleStack") }
        }

        if var ports = spec["ports"]?.arrayValue {
            let wantsNodePorts = type == "NodePort" || type == "LoadBalancer"
            let oldPorts = old?["spec"]?["ports"]?.arrayValue ?? []
            var usedPorts: Set<String>?
            var chosen = Set<String>()
            for i in ports.indices {
                guard wantsNodePorts else { ports[i]["nodePort"] = nil; continue }
                let proto = ports[i]["protocol"]?.stringValue ?? "TCP"
                if let np = ports[i]["nodePort"]?.integerValue, np != 0 {
                    let key = StorageKeys.nodePortKey(Int(np), proto: proto)
                    if !nodePorts.contains(Int(np)) {
                        errors.append(FieldError(.invalid, field: "spec.ports[\(i)].nodePort", value: String(np),
                                                 detail: "provided port is not in the valid range. The range of valid ports is \(nodePorts.lowerBound)-\(nodePorts.upperBound)"))
                    } else if !oldKeys.contains(key) {
                        if usedPorts == nil { usedPorts = try await taken(ServiceAllocator.portPrefix) }
                        if usedPorts!.contains(key) || chosen.contains(key) {
                            errors.append(FieldError(.invalid, field: "spec.ports[\(i)].nodePort", value: String(np),
                                                     detail: "provided port is already allocated"))
                        }
                    }
                    chosen.insert(key)
                    continue
                }
                // Keep the port an unchanged service port already had.
                if let prev = oldPorts.first(where: { $0["port"] == ports[i]["port"] && ($0["protocol"]?.stringValue ?? "TCP") == proto }),
                   let np = prev["nodePort"]?.integerValue, np > 0 {
                    ports[i]["nodePort"] = .integer(np)
                    chosen.insert(StorageKeys.nodePortKey(Int(np), proto: proto))
                    continue
                }
                if usedPorts == nil { usedPorts = try await taken(ServiceAllocator.portPrefix) }
                guard let np = pickFreePort(usedPorts!.union(chosen), proto: proto) else {
                    throw Status.internalError("failed to allocate a nodePort: range is full")
                }
                ports[i]["nodePort"] = .integer(Int64(np))
                chosen.insert(StorageKeys.nodePortKey(np, proto: proto))
            }
            spec["ports"] = .array(ports)
        }
        if !errors.isEmpty {
            throw Status.invalid(kind: "Service", name: name, errors)
        }
        service["spec"] = spec

        let newKeys = ServiceAllocator.keys(service)
        var claim = AllocationClaim()
        for k in newKeys.subtracting(oldKeys).sorted() {
            claim.compares.append(Compare(key: Array(k.utf8), .create(0), .equal))
            claim.ops.append(.put(PutRequest(key: Array(k.utf8), value: (try? owner.serialized()) ?? [])))
        }
        for k in oldKeys.subtracting(newKeys).sorted() {
            claim.ops.append(.deleteRange(DeleteRangeRequest(key: Array(k.utf8))))
        }
        return claim
    }

    func pickFreeIP(_ used: Set<String>) -> String? {
        let range = cidr.dynamicOffsets
        let span = range.upperBound - range.lowerBound + 1
        let start = UInt64.random(in: 0..<span)
        // Random start, then a linear scan: finds a free address in one pass over at most `used.count + 1`.
        for step in 0..<min(span, UInt64(used.count) + 1) {
            let ip = IPv4CIDR.format(cidr.address(at: range.lowerBound + (start + step) % span))
            if !used.contains(StorageKeys.clusterIPKey(ip)) { return ip }
        }
        return nil
    }

    func pickFreePort(_ used: Set<String>, proto: String) -> Int? {
        let span = nodePorts.count
        let start = Int.random(in: 0..<span)
        for step in 0..<min(span, used.count + 1) {
            let p = nodePorts.lowerBound + (start + step) % span
            if !used.contains(StorageKeys.nodePortKey(p, proto: proto)) { return p }
        }
        return nil
    }
}
