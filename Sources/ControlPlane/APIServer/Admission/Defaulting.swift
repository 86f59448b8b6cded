import KubeAPI

/// Kubernetes' defaulting (`pkg/apis/*/v1/defaults.go`) on the JSON of an object: fills in what a
/// client left out so every reader sees the same complete object. Pure; applied on create and update.
enum Defaulting {
    static func apply(resource: String, to object: inout JSONValue) {
        switch resource {
        case "pods":
            if var spec = object["spec"], spec.objectValue != nil {
                defaultPodSpec(&spec)
                object["spec"] = spec
            }
        case "services": defaultService(&object)
        case "deployments": defaultDeployment(&object)
        case "replicasets": defaultReplicaSet(&object)
        case "namespaces": defaultNamespace(&object)
        case "secrets":
            if object["type"] == nil { object["type"] = .string("Opaque") }
        case "endpointslices":
            if var eps = object["endpoints"]?.arrayValue {
                for i in eps.indices where eps[i]["conditions"] == nil { eps[i]["conditions"] = .object([:]) }
                object["endpoints"] = .array(eps)
            }
            if var ports = object["ports"]?.arrayValue {
                for i in ports.indices where ports[i]["protocol"] == nil { ports[i]["protocol"] = .string("TCP") }
                object["ports"] = .array(ports)
            }
        default: break
        }
    }

    static func setIfAbsent(_ o: inout JSONValue, _ key: String, _ value: JSONValue) {
        if o[key] == nil || o[key] == .null { o[key] = value }
    }

    static func defaultPodSpec(_ spec: inout JSONValue) {
        setIfAbsent(&spec, "restartPolicy", .string("Always"))
        setIfAbsent(&spec, "terminationGracePeriodSeconds", .integer(30))
        setIfAbsent(&spec, "dnsPolicy", .string("ClusterFirst"))
        setIfAbsent(&spec, "schedulerName", .string("default-scheduler"))
        setIfAbsent(&spec, "securityContext", .object([:]))
        if spec["serviceAccountName"] == nil, let sa = spec["serviceAccount"]?.stringValue {
            spec["serviceAccountName"] = .string(sa)
        }
        setIfAbsent(&spec, "serviceAccountName", .string("default"))
        if let sa = spec["serviceAccountName"] { setIfAbsent(&spec, "serviceAccount", sa) }
        setIfAbsent(&spec, "enableServiceLinks", .bool(true))
        setIfAbsent(&spec, "preemptionPolicy", .string("PreemptLowerPriority"))
        setIfAbsent(&spec, "priority", .integer(0))
        if spec["tolerations"] == nil {
            // The DefaultTolerationSeconds admission plugin.
            spec["tolerations"] = .array(["not-ready", "unreachable"].map { taint in
                .object(["key": .string("node.kubernetes.io/" + taint), "operator": .string("Exists"),
                         "effect": .string("NoExecute"), "tolerationSeconds": .integer(300)])
            })
        }
        for field in ["containers", "initContainers"] {
            guard var list = spec[field]?.arrayValue else { continue }
            for i in list.indices where list[i].objectValue != nil { defaultContainer(&list[i]) }
            spec[field] = .array(list)
        }
        if var volumes = spec["volumes"]?.arrayValue {
            for i in volumes.indices {
                if var cm = volumes[i]["configMap"], cm.objectValue != nil {
                    setIfAbsent(&cm, "defaultMode", .integer(420))
                    volumes[i]["configMap"] = cm
                }
                if var secret = volumes[i]["secret"], secret.objectValue != nil {
                    setIfAbsent(&secret, "defaultMode", .integer(420))
                    volumes[i]["secret"] = secret
                }
                if var hp = volumes[i]["hostPath"], hp.objectValue != nil {
                    setIfAbsent(&hp, "type", .string(""))
                    volumes[i]["hostPath"] = hp
                }
            }
            spec["volumes"] = .array(volumes)
        }
    }

    /// `:latest` or no tag pulls Always, anything else IfNotPresent (digests too).
    static func defaultPullPolicy(image: String) -> String {
        if image.contains("@") { return "IfNotPresent" }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    static func defaultContainer(_ c: inout JSONValue) {
        if let image = c["image"]?.stringValue {
            setIfAbsent(&c, "imagePullPolicy", .string(defaultPullPolicy(image: image)))
        }
        setIfAbsent(&c, "terminationMessagePath", .string("/dev/termination-log"))
        setIfAbsent(&c, "terminationMessagePolicy", .string("File"))
        setIfAbsent(&c, "resources", .object([:]))
        if var ports = c["ports"]?.arrayValue {
            for i in ports.indices where ports[i].objectValue != nil {
                setIfAbsent(&ports[i], "protocol", .string("TCP"))
            }
            c["ports"] = .array(ports)
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            guard var p = c[probe], p.objectValue != nil else { continue }
            setIfAbsent(&p, "timeoutSeconds", .integer(1))
            setIfAbsent(&p, "periodSeconds", .integer(10))
            setIfAbsent(&p, "successThreshold", .integer(1))
            setIfAbsent(&p, "failureThreshold", .integer(3))
            if var get = p["httpGet"], get.objectValue != nil {
                setIfAbsent(&get, "path", .string("/"))
                setIfAbsent(&get, "scheme", .string("HTTP"))
                p["httpGet"] = get
            }
            c[probe] = p
        }
    }

    static func defaultService(_ object: inout JSONValue) {
        guard var spec = object["spec"], spec.objectValue != nil else { return }
        setIfAbsent(&spec, "type", .string("ClusterIP"))
        setIfAbsent(&spec, "sessionAffinity", .string("None"))
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        if type == "NodePort" || type == "LoadBalancer" {
            setIfAbsent(&spec, "externalTrafficPolicy", .string("Cluster"))
        }
        if type != "ExternalName" { setIfAbsent(&spec, "internalTrafficPolicy", .string("Cluster")) }
        if type == "LoadBalancer" { setIfAbsent(&spec, "allocateLoadBalancerNodePorts", .bool(true)) }
        if var ports = spec["ports"]?.arrayValue {
            for i in ports.indices where ports[i].objectValue != nil {
                setIfAbsent(&ports[i], "protocol", .string("TCP"))
                if ports[i]["targetPort"] == nil, let p = ports[i]["port"] { ports[i]["targetPort"] = p }
            }
            spec["ports"] = .array(ports)
        }
        object["spec"] = spec
        if object["status"] == nil { object["status"] = .object(["loadBalancer": .object([:])]) }
    }

    static func defaultPodTemplate(_ template: inout JSONValue) {
        guard var spec = template["spec"], spec.objectValue != nil else { return }
        defaultPodSpec(&spec)
        template["spec"] = spec
        if template["metadata"] == nil { template["metadata"] = .object([:]) }
    }

    static func defaultDeployment(_ object: inout JSONValue) {
        guard var spec = object["spec"], spec.objectValue != nil else { return }
        setIfAbsent(&spec, "replicas", .integer(1))
        setIfAbsent(&spec, "revisionHistoryLimit", .integer(10))
        setIfAbsent(&spec, "progressDeadlineSeconds", .integer(600))
        var strategy = spec["strategy"]?.objectValue.map(JSONValue.object) ?? .object([:])
        setIfAbsent(&strategy, "type", .string("RollingUpdate"))
        if strategy["type"]?.stringValue == "RollingUpdate" {
            var ru = strategy["rollingUpdate"]?.objectValue.map(JSONValue.object) ?? .object([:])
            setIfAbsent(&ru, "maxUnavailable", .string("25%"))
            setIfAbsent(&ru, "maxSurge", .string("25%"))
            strategy["rollingUpdate"] = ru
        }
        spec["strategy"] = strategy
        if var template = spec["template"], template.objectValue != nil {
            defaultPodTemplate(&template)
            spec["template"] = template
        }
        object["spec"] = spec
    }

    static func defaultReplicaSet(_ object: inout JSONValue) {
        guard var spec = object["spec"], spec.objectValue != nil else { return }
        setIfAbsent(&spec, "replicas", .integer(1))
        if var template = spec["template"], template.objectValue != nil {
            defaultPodTemplate(&template)
            spec["template"] = template
        }
        object["spec"] = spec
    }

    static func defaultNamespace(_ object: inout JSONValue) {
        if let name = object.metaString("name") {
            var labels = object.meta("labels")?.objectValue ?? [:]
            labels["kubernetes.io/metadata.name"] = .string(name)
            object.setMeta("labels", .object(labels))
        }
        var spec = object["spec"]?.objectValue.map(JSONValue.object) ?? .object([:])
        setIfAbsent(&spec, "finalizers", .array([.string("kubernetes")]))
        object["spec"] = spec
        var status = object["status"]?.objectValue.map(JSONValue.object) ?? .object([:])
        setIfAbsent(&status, "phase", .string("Active"))
        object["status"] = status
    }
}
