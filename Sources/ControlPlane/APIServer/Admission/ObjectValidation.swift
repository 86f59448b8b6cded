import KubeAPI

/// Validation of API objects on their JSON, with kube's field paths and messages
/// (`pkg/apis/core/validation`, `pkg/apis/apps/validation`). Pure: the object (and the old one on
/// update) in, the list of field errors out; empty means valid.
enum ObjectValidation {
    /// `specImmutability` is off for server-internal writes (binding sets spec.nodeName) and status writes.
    static func validate(_ strategy: ResourceStrategy, _ object: JSONValue, old: JSONValue? = nil,
                         specImmutability: Bool = true) -> [FieldError] {
        var errs = validateMeta(strategy, object, old: old)
        switch strategy.resource {
        case "pods":
            errs += validatePodSpec(object["spec"], path: "spec")
            if let old, specImmutability { errs += validatePodUpdate(object, old: old) }
        case "services":
            errs += validateService(object, old: old)
        case "deployments", "replicasets":
            errs += validateWorkload(strategy.resource, object, old: old)
        default:
            break
        }
        return errs
    }

    // MARK: metadata

    static func validateMeta(_ strategy: ResourceStrategy, _ object: JSONValue, old: JSONValue?) -> [FieldError] {
        var errs: [FieldError] = []
        let name = object.metaString("name") ?? ""
        if name.isEmpty {
            errs.append(.required("metadata.name", "name or generateName is required"))
        } else {
            for e in strategy.nameErrors(name) { errs.append(.invalid("metadata.name", name, e)) }
        }
        if strategy.info.namespaced {
            if (object.metaString("namespace") ?? "").isEmpty { errs.append(.required("metadata.namespace")) }
        } else if let ns = object.metaString("namespace"), !ns.isEmpty {
            errs.append(.forbidden("metadata.namespace", "not allowed on this type"))
        }
        errs += Validation.labels(object.labels)
        if let annotations = object.meta("annotations")?.objectValue {
            var total = 0
            for k in annotations.keys.sorted() {
                for e in Validation.labelKey(k) { errs.append(.invalid("metadata.annotations", k, e)) }
                total += k.utf8.count + (annotations[k]?.stringValue?.utf8.count ?? 0)
            }
            if total > 256 * 1024 {
                errs.append(FieldError(.tooLong, field: "metadata.annotations", detail: "may not have more than 262144 bytes"))
            }
        }
        if let old {
            if let uid = old.metaString("uid"), let newUID = object.metaString("uid"), uid != newUID {
                errs.append(.invalid("metadata.uid", newUID, "field is immutable"))
            }
        }
        return errs
    }

    // MARK: pods

    static let restartPolicies = ["Always", "OnFailure", "Never"]
    static let protocols = ["SCTP", "TCP", "UDP"]
    static let pullPolicies = ["Always", "IfNotPresent", "Never"]
    static let dnsPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]

    static func validatePodSpec(_ spec: JSONValue?, path: String) -> [FieldError] {
        guard let spec, spec.objectValue != nil else { return [.required(path)] }
        var errs: [FieldError] = []
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty { errs.append(.required(path + ".containers")) }
        var names = Set<String>()
        for (field, list) in [("initContainers", spec["initContainers"]?.arrayValue ?? []), ("containers", containers)] {
            for (i, c) in list.enumerated() {
                errs += validateContainer(c, path: "\(path).\(field)[\(i)]", names: &names)
            }
        }
        if let rp = spec["restartPolicy"]?.stringValue, !restartPolicies.contains(rp) {
            errs.append(.notSupported(path + ".restartPolicy", rp, restartPolicies))
        }
        if let dp = spec["dnsPolicy"]?.stringValue, !dnsPolicies.contains(dp) {
            errs.append(.notSupported(path + ".dnsPolicy", dp, dnsPolicies))
        }
        if let g = spec["terminationGracePeriodSeconds"]?.integerValue, g < 0 {
            errs.append(FieldError(.invalid, field: path + ".terminationGracePeriodSeconds", value: String(g),
                                   detail: "must be greater than or equal to 0"))
        }
        var volumeNames = Set<String>()
        for (i, v) in (spec["volumes"]?.arrayValue ?? []).enumerated() {
            let name = v["name"]?.stringValue ?? ""
            let p = "\(path).volumes[\(i)].name"
            if name.isEmpty { errs.append(.required(p)) } else {
                for e in Validation.dns1123Label(name) { errs.append(.invalid(p, name, e)) }
                if !volumeNames.insert(name).inserted { errs.append(.duplicate(p, name)) }
            }
        }
        return errs
    }

    static func validateContainer(_ c: JSONValue, path: String, names: inout Set<String>) -> [FieldError] {
        var errs: [FieldError] = []
        let name = c["name"]?.stringValue ?? ""
        if name.isEmpty {
            errs.append(.required(path + ".name"))
        } else {
            for e in Validation.dns1123Label(name) { errs.append(.invalid(path + ".name", name, e)) }
            if !names.insert(name).inserted { errs.append(.duplicate(path + ".name", name)) }
        }
        if (c["image"]?.stringValue ?? "").allSatisfy(\.isWhitespace) {
            errs.append(.required(path + ".image"))
        }
        if let pp = c["imagePullPolicy"]?.stringValue, !pullPolicies.contains(pp) {
            errs.append(.notSupported(path + ".imagePullPolicy", pp, pullPolicies))
        }
        var portNames = Set<String>()
        for (i, p) in (c["ports"]?.arrayValue ?? []).enumerated() {
            let pp = "\(path).ports[\(i)]"
            if let port = p["containerPort"]?.integerValue {
                if port < 1 || port > 65535 {
                    errs.append(FieldError(.invalid, field: pp + ".containerPort", value: String(port),
                                           detail: "must be between 1 and 65535, inclusive"))
                }
            } else {
                errs.append(.required(pp + ".containerPort"))
            }
            if let hp = p["hostPort"]?.integerValue, hp != 0, hp < 1 || hp > 65535 {
                errs.append(FieldError(.invalid, field: pp + ".hostPort", value: String(hp),
                                       detail: "must be between 1 and 65535, inclusive"))
            }
            if let proto = p["protocol"]?.stringValue, !protocols.contains(proto) {
                errs.append(.notSupported(pp + ".protocol", proto, protocols))
            }
            if let pn = p["name"]?.stringValue, !pn.isEmpty {
                if pn.utf8.count > 15 {
                    errs.append(.invalid(pp + ".name", pn, "must be no more than 15 characters"))
                } else if !portNames.insert(pn).inserted {
                    errs.append(.duplicate(pp + ".name", pn))
                }
            }
        }
        for (i, e) in (c["env"]?.arrayValue ?? []).enumerated() where (e["name"]?.stringValue ?? "").isEmpty {
            errs.append(.required("\(path).env[\(i)].name"))
        }
        return errs
    }

    /// Pod spec is immutable but for images, activeDeadlineSeconds, added tolerations and the grace period.
    static func validatePodUpdate(_ new: JSONValue, old: JSONValue) -> [FieldError] {
        guard let newSpec = new["spec"], var mungedOld = old["spec"] else { return [] }
        for field in ["containers", "initContainers"] {
            guard var oldList = mungedOld[field]?.arrayValue, let newList = newSpec[field]?.arrayValue,
                  oldList.count == newList.count else { continue }
            for i in oldList.indices { oldList[i]["image"] = newList[i]["image"] }
            mungedOld[field] = .array(oldList)
        }
        for field in ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"] {
            mungedOld[field] = newSpec[field]
        }
        if case .object(var o) = mungedOld {
            o = o.filter { $0.value != .null }
            mungedOld = .object(o)
        }
        var cleanedNew = newSpec
        if case .object(let o) = newSpec { cleanedNew = .object(o.filter { $0.value != .null }) }
        if mungedOld != cleanedNew {
            return [.forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")]
        }
        return []
    }

    // MARK: services

    static let serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]

    static func validateService(_ object: JSONValue, old: JSONValue?) -> [FieldError] {
        guard let spec = object["spec"], spec.objectValue != nil else { return [.required("spec")] }
        var errs: [FieldError] = []
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        if !serviceTypes.contains(type) { errs.append(.notSupported("spec.type", type, serviceTypes)) }
        let ports = spec["ports"]?.arrayValue ?? []
        if ports.isEmpty && type != "ExternalName" && spec["clusterIP"]?.stringValue != "None" {
            errs.append(.required("spec.ports"))
        }
        var portNames = Set<String>()
        for (i, p) in ports.enumerated() {
            let pp = "spec.ports[\(i)]"
            let name = p["name"]?.stringValue ?? ""
            if ports.count > 1 && name.isEmpty { errs.append(.required(pp + ".name")) }
            if !name.isEmpty {
                for e in Validation.dns1123Label(name) { errs.append(.invalid(pp + ".name", name, e)) }
                if !portNames.insert(name).inserted { errs.append(.duplicate(pp + ".name", name)) }
            }
            if let port = p["port"]?.integerValue {
                if port < 1 || port > 65535 {
                    errs.append(FieldError(.invalid, field: pp + ".port", value: String(port),
                                           detail: "must be between 1 and 65535, inclusive"))
                }
            } else {
                errs.append(.required(pp + ".port"))
            }
            if let proto = p["protocol"]?.stringValue, !protocols.contains(proto) {
                errs.append(.notSupported(pp + ".protocol", proto, protocols))
            }
            if let np = p["nodePort"]?.integerValue, np != 0, type == "ClusterIP" {
                errs.append(FieldError(.forbidden, field: pp + ".nodePort",
                                       detail: "may not be used when `type` is 'ClusterIP'"))
            }
            if let tp = p["targetPort"] {
                if let n = tp.integerValue, n < 1 || n > 65535 {
                    errs.append(FieldError(.invalid, field: pp + ".targetPort", value: String(n),
                                           detail: "must be between 1 and 65535, inclusive"))
                }
            }
        }
        if type == "ExternalName" && (spec["externalName"]?.stringValue ?? "").isEmpty {
            errs.append(.required("spec.externalName"))
        }
        if let old, let oldIP = old["spec"]?["clusterIP"]?.stringValue, !oldIP.isEmpty,
           let newIP = spec["clusterIP"]?.stringValue, newIP != oldIP,
           (old["spec"]?["type"]?.stringValue ?? "ClusterIP") != "ExternalName", type != "ExternalName" {
            errs.append(.invalid("spec.clusterIPs[0]", newIP, "may not change once set"))
        }
        return errs
    }

    // MARK: deployments, replicasets

    static func validateWorkload(_ resource: String, _ object: JSONValue, old: JSONValue?) -> [FieldError] {
        guard let spec = object["spec"], spec.objectValue != nil else { return [.required("spec")] }
        var errs: [FieldError] = []
        if let r = spec["replicas"]?.integerValue, r < 0 {
            errs.append(FieldError(.invalid, field: "spec.replicas", value: String(r),
                                   detail: "must be greater than or equal to 0"))
        }
        let selectorJSON = spec["selector"]
        var selector: Selector?
        if selectorJSON == nil || selectorJSON == .null {
            errs.append(.required("spec.selector"))
        } else if let ls = try? selectorJSON?.decode(LabelSelector.self) {
            if (ls.matchLabels ?? [:]).isEmpty && (ls.matchExpressions ?? []).isEmpty {
                errs.append(FieldError(.invalid, field: "spec.selector", value: renderSelector(selectorJSON),
                                       detail: "empty selector is invalid for deployment"))
            }
            do {
                selector = try Selector(ls)
            } catch {
                errs.append(FieldError(.invalid, field: "spec.selector", value: renderSelector(selectorJSON),
                                       detail: error.message))
            }
        } else {
            errs.append(FieldError(.invalid, field: "spec.selector", value: renderSelector(selectorJSON),
                                   detail: "invalid label selector"))
        }
        let template = spec["template"]
        if template == nil || template == .null {
            errs.append(.required("spec.template"))
        } else if let template {
            let labels = template.labels
            if let selector, !selector.isEverything, !selector.matches(labels) {
                errs.append(FieldError(.invalid, field: "spec.template.metadata.labels",
                                       value: renderMap(labels), detail: "`selector` does not match template `labels`"))
            }
            errs += Validation.labels(labels, field: "spec.template.metadata.labels")
            errs += validatePodSpec(template["spec"], path: "spec.template.spec")
            if let rp = template["spec"]?["restartPolicy"]?.stringValue, rp != "Always" {
                errs.append(.notSupported("spec.template.spec.restartPolicy", rp, ["Always"]))
            }
        }
        if resource == "deployments", let strategy = spec["strategy"]?["type"]?.stringValue,
           !["Recreate", "RollingUpdate"].contains(strategy) {
            errs.append(.notSupported("spec.strategy.type", strategy, ["Recreate", "RollingUpdate"]))
        }
        if let old, let oldSel = old["spec"]?["selector"], oldSel != selectorJSON {
            errs.append(FieldError(.invalid, field: "spec.selector", value: renderSelector(selectorJSON),
                                   detail: "field is immutable"))
        }
        return errs
    }

    /// Go's `%#v` of a map[string]string, as kube's messages print labels.
    static func renderMap(_ m: [String: String]) -> String {
        "map[string]string{" + m.keys.sorted().map { "\"\($0)\":\"\(m[$0]!)\"" }.joined(separator: ", ") + "}"
    }

    static func renderSelector(_ s: JSONValue?) -> String {
        guard let s, let ls = try? s.decode(LabelSelector.self) else { return "null" }
        let ml = ls.matchLabels.map(renderMap) ?? "map[string]string(nil)"
        return "&v1.LabelSelector{MatchLabels:\(ml), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
    }
}
