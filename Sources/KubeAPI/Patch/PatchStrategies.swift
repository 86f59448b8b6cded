/// The strategic merge patch metadata of every kind Swiftlet serves: the one table the API server
/// patches by and the OpenAPI documents are written from (`x-kubernetes-patch-strategy`,
/// `x-kubernetes-patch-merge-key`). Transcribed from the `patchStrategy`/`patchMergeKey` tags of
/// k8s.io/api (core/v1, apps/v1) and k8s.io/apimachinery (meta/v1) as of Kubernetes 1.32. Lists
/// without a tag are atomic (tolerations, node taints, node images, container statuses, service
/// load-balancer ingress...): they need no entry.
public enum PatchStrategies {
    typealias Node = PatchSchemaNode
    typealias Field = PatchSchemaNode.Field

    static let core = "io.k8s.api.core.v1."
    static let apps = "io.k8s.api.apps.v1."
    static let meta = "io.k8s.apimachinery.pkg.apis.meta.v1."

    static let objectMeta = Node(meta + "ObjectMeta", fields: [
        "ownerReferences": .list(by: "uid"),
        "finalizers": .scalarSet,
    ])

    static let container = Node(core + "Container", fields: containerFields)
    static let ephemeralContainer = Node(core + "EphemeralContainer", fields: containerFields)
    static let containerFields: [String: Field] = [
        "ports": .list(by: "containerPort"),
        "env": .list(by: "name"),
        "volumeMounts": .list(by: "mountPath"),
        "volumeDevices": .list(by: "devicePath"),
    ]

    static let podSpec = Node(core + "PodSpec", fields: [
        "volumes": .list(by: "name", retainKeys: true),
        "initContainers": .list(by: "name", container),
        "containers": .list(by: "name", container),
        "ephemeralContainers": .list(by: "name", ephemeralContainer),
        "imagePullSecrets": .list(by: "name"),
        "hostAliases": .list(by: "ip"),
        "topologySpreadConstraints": .list(by: "topologyKey"),
        "schedulingGates": .list(by: "name"),
        "resourceClaims": .list(by: "name", retainKeys: true),
    ])

    static let containerStatus = Node(core + "ContainerStatus", fields: [
        "volumeMounts": .list(by: "mountPath"),
        "allocatedResourcesStatus": .list(by: "name"),
    ])

    static let podStatus = Node(core + "PodStatus", fields: [
        "conditions": .list(by: "type"),
        "hostIPs": .list(by: "ip"),
        "podIPs": .list(by: "ip"),
        "resourceClaimStatuses": .list(by: "name", retainKeys: true),
        "containerStatuses": .atomicList(containerStatus),
        "initContainerStatuses": .atomicList(containerStatus),
        "ephemeralContainerStatuses": .atomicList(containerStatus),
    ])

    static let podTemplateSpec = Node(core + "PodTemplateSpec", fields: [
        "metadata": .object(objectMeta),
        "spec": .object(podSpec),
    ])

    static let pod = Node(core + "Pod", fields: [
        "metadata": .object(objectMeta),
        "spec": .object(podSpec),
        "status": .object(podStatus),
    ])

    static let deployment = Node(apps + "Deployment", fields: [
        "metadata": .object(objectMeta),
        "spec": .object(Node(apps + "DeploymentSpec", fields: [
            "template": .object(podTemplateSpec),
            "strategy": .object(Node(apps + "DeploymentStrategy"), strategy: .retainKeys),
        ])),
        "status": .object(Node(apps + "DeploymentStatus", fields: ["conditions": .list(by: "type")])),
    ])

    static let replicaSet = Node(apps + "ReplicaSet", fields: [
        "metadata": .object(objectMeta),
        "spec": .object(Node(apps + "ReplicaSetSpec", fields: ["template": .object(podTemplateSpec)])),
        "status": .object(Node(apps + "ReplicaSetStatus", fields: ["conditions": .list(by: "type")])),
    ])

    static let service = Node(core + "Service", fields: [
        "metadata": .object(objectMeta),
        "spec": .object(Node(core + "ServiceSpec", fields: ["ports": .list(by: "port")])),
        "status": .object(Node(core + "ServiceStatus", fields: ["conditions": .list(by: "type")])),
    ])

    static let node = Node(core + "Node", fields: [
        "metadata": .object(objectMeta),
        "spec": .object(Node(core + "NodeSpec", fields: ["podCIDRs": .scalarSet])),
        "status": .object(Node(core + "NodeStatus", fields: [
            "conditions": .list(by: "type"),
            "addresses": .list(by: "type"),
        ])),
    ])

    static let namespace = Node(core + "Namespace", fields: [
        "metadata": .object(objectMeta),
        "status": .object(Node(core + "NamespaceStatus", fields: ["conditions": .list(by: "type")])),
    ])

    static let serviceAccount = Node(core + "ServiceAccount", fields: [
        "metadata": .object(objectMeta),
        "secrets": .list(by: "name"),
    ])

    /// Kinds whose only patch metadata is their ObjectMeta's.
    static func metadataOnly(_ definition: String) -> Node {
        Node(definition, fields: ["metadata": .object(objectMeta)])
    }

    public struct Kind: Sendable {
        public var group: String
        public var version: String
        public var kind: String
        public var schema: PatchSchemaNode
    }

    /// Every served kind (and the kinds of their subresources) with its schema.
    public static let kinds: [Kind] = [
        Kind(group: "", version: "v1", kind: "Pod", schema: pod),
        Kind(group: "", version: "v1", kind: "Service", schema: service),
        Kind(group: "", version: "v1", kind: "Node", schema: node),
        Kind(group: "", version: "v1", kind: "Namespace", schema: namespace),
        Kind(group: "", version: "v1", kind: "ServiceAccount", schema: serviceAccount),
        Kind(group: "", version: "v1", kind: "ConfigMap", schema: metadataOnly(core + "ConfigMap")),
        Kind(group: "", version: "v1", kind: "Secret", schema: metadataOnly(core + "Secret")),
        Kind(group: "", version: "v1", kind: "Endpoints", schema: metadataOnly(core + "Endpoints")),
        Kind(group: "", version: "v1", kind: "Event", schema: metadataOnly(core + "Event")),
        Kind(group: "", version: "v1", kind: "Binding", schema: metadataOnly(core + "Binding")),
        Kind(group: "apps", version: "v1", kind: "Deployment", schema: deployment),
        Kind(group: "apps", version: "v1", kind: "ReplicaSet", schema: replicaSet),
        Kind(group: "coordination.k8s.io", version: "v1", kind: "Lease",
             schema: metadataOnly("io.k8s.api.coordination.v1.Lease")),
        Kind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice",
             schema: metadataOnly("io.k8s.api.discovery.v1.EndpointSlice")),
        Kind(group: "autoscaling", version: "v1", kind: "Scale",
             schema: metadataOnly("io.k8s.api.autoscaling.v1.Scale")),
    ]

    private static let byGroupKind: [String: PatchSchemaNode] = Dictionary(
        kinds.map { ($0.group + "/" + $0.kind, $0.schema) }, uniquingKeysWith: { first, _ in first })

    /// The schema to patch an object of this kind by; nil for a kind we have no metadata for.
    public static func schema(group: String, kind: String) -> PatchSchemaNode? {
        byGroupKind[group + "/" + kind]
    }

    /// One field with a patch strategy, as seen from a kind: `path` in the dotted form with `[]` after
    /// list fields ("spec.template.spec.containers[].env").
    public struct Entry: Hashable, Sendable {
        public var group: String
        public var version: String
        public var kind: String
        public var path: String
        /// The OpenAPI definition that declares the field, and the field's name there.
        public var definition: String
        public var field: String
        public var strategy: PatchStrategy
        public var mergeKey: String?
    }

    /// Every (kind, field path, strategy, merge key), sorted by kind then path.
    public static var entries: [Entry] {
        var out: [Entry] = []
        for k in kinds {
            walk(k.schema, prefix: "") { path, definition, field, f in
                out.append(Entry(group: k.group, version: k.version, kind: k.kind, path: path,
                                 definition: definition, field: field, strategy: f.strategy, mergeKey: f.mergeKey))
            }
        }
        return out.sorted { ($0.group, $0.kind, $0.path) < ($1.group, $1.kind, $1.path) }
    }

    /// The same facts per OpenAPI definition: what to attach to `definitions[d].properties[field]`.
    public struct DefinitionEntry: Hashable, Sendable {
        public var definition: String
        public var field: String
        public var strategy: PatchStrategy
        public var mergeKey: String?
    }

    public static var definitionEntries: [DefinitionEntry] {
        let all = Set(entries.map {
            DefinitionEntry(definition: $0.definition, field: $0.field, strategy: $0.strategy, mergeKey: $0.mergeKey)
        })
        return all.sorted { ($0.definition, $0.field) < ($1.definition, $1.field) }
    }

    private static func walk(_ node: PatchSchemaNode, prefix: String,
                             _ visit: (String, String, String, PatchSchemaNode.Field) -> Void) {
        for name in node.fields.keys.sorted() {
            guard let f = node.fields[name] else { continue }
            let path = prefix.isEmpty ? name : prefix + "." + name
            if !f.strategy.isEmpty { visit(path, node.definition, name, f) }
            walk(f.node, prefix: f.isList ? path + "[]" : path, visit)
        }
    }
}
