import KubeAPI

/// Strategic merge patch for the built-in kinds, enough for what kubectl sends (apply, edit, label,
/// set image): objects merge key by key, lists with a merge key (containers by name, ports by
/// containerPort/port, ...) merge element by element, other lists are replaced; `$patch: delete`,
/// `$patch: replace`, `$deleteFromPrimitiveList/<field>`; `$setElementOrder/<field>` and `$retainKeys`
/// are honoured loosely (order kept from the patch where given).
enum StrategicMerge {
    /// Merge keys by field name, as the `patchMergeKey` tags of the Go types.
    static let mergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
        "env": "name", "volumes": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
        "imagePullSecrets": "name", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
        "conditions": "type", "ownerReferences": "uid", "addresses": "ip", "readinessGates": "conditionType",
        "resourceClaims": "name", "taints": "key",
    ]

    static func apply(_ target: JSONValue, _ patch: JSONValue, field: String = "") -> JSONValue {
        guard case .object(var p) = patch else { return patch }
        if p["$patch"]?.stringValue == "replace" {
            p["$patch"] = nil
            return .object(stripDirectives(p))
        }
        if p["$patch"]?.stringValue == "delete" { return .null }
        var result = target.objectValue ?? [:]
        var orders: [String: [JSONValue]] = [:]
        for (k, v) in p {
            if k.hasPrefix("$setElementOrder/") {
                orders[String(k.dropFirst("$setElementOrder/".count))] = v.arrayValue
                continue
            }
            if k.hasPrefix("$deleteFromPrimitiveList/") {
                let f = String(k.dropFirst("$deleteFromPrimitiveList/".count))
                let remove = v.arrayValue ?? []
                if let existing = result[f]?.arrayValue { result[f] = .array(existing.filter { !remove.contains($0) }) }
                continue
            }
            if k.hasPrefix("$") { continue }
            if v == .null { result[k] = nil; continue }
            switch v {
            case .object:
                result[k] = apply(result[k] ?? .object([:]), v, field: k)
            case .array(let items):
                if let key = mergeKeys[k], let existing = result[k]?.arrayValue,
                   items.allSatisfy({ $0.objectValue != nil }) {
                    result[k] = .array(mergeList(existing, items, key: key))
                } else if k == "ports", let existing = result[k]?.arrayValue, items.allSatisfy({ $0.objectValue != nil }) {
                    let key = items.first?["containerPort"] != nil || existing.first?["containerPort"] != nil ? "containerPort" : "port"
                    result[k] = .array(mergeList(existing, items, key: key))
                } else {
                    result[k] = .array(items.map { $0.objectValue != nil ? .object(stripDirectives($0.objectValue!)) : $0 })
                }
            default:
                result[k] = v
            }
        }
        for (f, order) in orders {
            guard let list = result[f]?.arrayValue else { continue }
            let key = mergeKeys[f] ?? (f == "ports" ? (list.first?["containerPort"] != nil ? "containerPort" : "port") : nil)
            guard let key else { continue }
            var ordered: [JSONValue] = []
            var rest = list
            for o in order {
                if let i = rest.firstIndex(where: { $0[key] == o[key] }) { ordered.append(rest.remove(at: i)) }
            }
            result[f] = .array(ordered + rest)
        }
        return .object(result)
    }

    static func mergeList(_ existing: [JSONValue], _ patch: [JSONValue], key: String) -> [JSONValue] {
        var out = existing
        for item in patch {
            let directive = item["$patch"]?.stringValue
            if let i = out.firstIndex(where: { $0[key] != nil && $0[key] == item[key] }) {
                if directive == "delete" { out.remove(at: i); continue }
                out[i] = apply(out[i], item)
            } else if directive != "delete" {
                out.append(.object(stripDirectives(item.objectValue ?? [:])))
            }
        }
        return out
    }

    static func stripDirectives(_ o: [String: JSONValue]) -> [String: JSONValue] {
        var r: [String: JSONValue] = [:]
        for (k, v) in o where !k.hasPrefix("$") {
            if case .object(let inner) = v { r[k] = .object(stripDirectives(inner)) } else { r[k] = v }
        }
        return r
    }
}
