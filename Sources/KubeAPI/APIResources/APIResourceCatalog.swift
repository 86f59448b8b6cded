/// Every resource Swiftlet serves, as discovery describes it: the one list the API server routes by,
/// serves `/api` and `/apis` from, and clients (kubectl, KubeClient) resolve kinds against.

public struct APIResourceInfo: Hashable, Sendable {
    /// "" for the core group.
    public var group: String
    public var version: String
    public var kind: String
    /// The plural resource name in paths ("pods").
    public var name: String
    public var singularName: String
    public var namespaced: Bool
    public var verbs: [String]
    public var shortNames: [String]
    public var categories: [String]
    public var subresources: [APISubresourceInfo]

    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public init(group: String, version: String, kind: String, name: String, singularName: String,
                namespaced: Bool, verbs: [String], shortNames: [String] = [], categories: [String] = [],
                subresources: [APISubresourceInfo] = []) {
        self.group = group
        self.version = version
        self.kind = kind
        self.name = name
        self.singularName = singularName
        self.namespaced = namespaced
        self.verbs = verbs
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
    }
}

public struct APISubresourceInfo: Hashable, Sendable {
    /// "status", "scale", "log", "exec", "binding"...
    public var name: String
    /// The kind the subresource takes and returns ("Scale" for scale, the parent's kind for status).
    public var kind: String
    /// Set when the subresource's kind lives in another group-version (scale: autoscaling/v1).
    public var group: String?
    public var version: String?
    public var verbs: [String]

    public init(name: String, kind: String, group: String? = nil, version: String? = nil, verbs: [String]) {
        self.name = name
        self.kind = kind
        self.group = group
        self.version = version
        self.verbs = verbs
    }
}

public enum APIResourceCatalog {
    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    static let statusVerbs = ["get", "patch", "update"]

    static func status(_ kind: String) -> APISubresourceInfo {
        APISubresourceInfo(name: "status", kind: kind, verbs: statusVerbs)
    }

    static let scale = APISubresourceInfo(name: "scale", kind: "Scale", group: "autoscaling", version: "v1",
                                          verbs: statusVerbs)

    public static let resources: [APIResourceInfo] = [
        // core/v1
        APIResourceInfo(group: "", version: "v1", kind: "Binding", name: "bindings", singularName: "binding",
                        namespaced: true, verbs: ["create"]),
        APIResourceInfo(group: "", version: "v1", kind: "ConfigMap", name: "configmaps", singularName: "configmap",
                        namespaced: true, verbs: allVerbs, shortNames: ["cm"]),
        APIResourceInfo(group: "", version: "v1", kind: "Endpoints", name: "endpoints", singularName: "endpoints",
                        namespaced: true, verbs: allVerbs, shortNames: ["ep"]),
        APIResourceInfo(group: "", version: "v1", kind: "Event", name: "events", singularName: "event",
                        namespaced: true, verbs: allVerbs, shortNames: ["ev"]),
        APIResourceInfo(group: "", version: "v1", kind: "Namespace", name: "namespaces", singularName: "namespace",
                        namespaced: false, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
                        shortNames: ["ns"],
                        subresources: [status("Namespace"),
                                       APISubresourceInfo(name: "finalize", kind: "Namespace", verbs: ["update"])]),
        APIResourceInfo(group: "", version: "v1", kind: "Node", name: "nodes", singularName: "node",
                        namespaced: false, verbs: allVerbs, shortNames: ["no"],
                        subresources: [status("Node"),
                                       APISubresourceInfo(name: "proxy", kind: "NodeProxyOptions",
                                                          verbs: ["create", "delete", "get", "patch", "update"])]),
        APIResourceInfo(group: "", version: "v1", kind: "Pod", name: "pods", singularName: "pod",
                        namespaced: true, verbs: allVerbs, shortNames: ["po"], categories: ["all"],
                        subresources: [
                            APISubresourceInfo(name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"]),
                            APISubresourceInfo(name: "binding", kind: "Binding", verbs: ["create"]),
                            APISubresourceInfo(name: "eviction", kind: "Eviction", group: "policy", version: "v1",
                                               verbs: ["create"]),
                            APISubresourceInfo(name: "exec", kind: "PodExecOptions", verbs: ["create", "get"]),
                            APISubresourceInfo(name: "log", kind: "Pod", verbs: ["get"]),
                            APISubresourceInfo(name: "portforward", kind: "PodPortForwardOptions",
                                               verbs: ["create", "get"]),
                            status("Pod"),
                        ]),
        APIResourceInfo(group: "", version: "v1", kind: "Secret", name: "secrets", singularName: "secret",
                        namespaced: true, verbs: allVerbs),
        APIResourceInfo(group: "", version: "v1", kind: "ServiceAccount", name: "serviceaccounts",
                        singularName: "serviceaccount", namespaced: true, verbs: allVerbs, shortNames: ["sa"]),
        APIResourceInfo(group: "", version: "v1", kind: "Service", name: "services", singularName: "service",
                        namespaced: true,
                        verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
                        shortNames: ["svc"], categories: ["all"], subresources: [status("Service")]),
        // apps/v1
        APIResourceInfo(group: "apps", version: "v1", kind: "Deployment", name: "deployments",
                        singularName: "deployment", namespaced: true, verbs: allVerbs, shortNames: ["deploy"],
                        categories: ["all"], subresources: [scale, status("Deployment")]),
        APIResourceInfo(group: "apps", version: "v1", kind: "ReplicaSet", name: "replicasets",
                        singularName: "replicaset", namespaced: true, verbs: allVerbs, shortNames: ["rs"],
                        categories: ["all"], subresources: [scale, status("ReplicaSet")]),
        // coordination.k8s.io/v1
        APIResourceInfo(group: "coordination.k8s.io", version: "v1", kind: "Lease", name: "leases",
                        singularName: "lease", namespaced: true, verbs: allVerbs),
        // discovery.k8s.io/v1
        APIResourceInfo(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice", name: "endpointslices",
                        singularName: "endpointslice", namespaced: true, verbs: allVerbs),
    ]

    /// Groups in the order `/apis` lists them (core is served at `/api`).
    public static let groups: [(name: String, versions: [String])] = [
        ("apps", ["v1"]),
        ("coordination.k8s.io", ["v1"]),
        ("discovery.k8s.io", ["v1"]),
    ]

    public static func resource(group: String, version: String, name: String) -> APIResourceInfo? {
        resources.first { $0.group == group && $0.version == version && $0.name == name }
    }

    public static func resource(group: String, kind: String) -> APIResourceInfo? {
        resources.first { $0.group == group && $0.kind == kind }
    }
}
