/// The REST operations Swiftlet serves, one per path and method, as the OpenAPI documents describe them
/// (the v2 and v3 renderings share this model). Derived from APIResourceCatalog, named the Kubernetes way
/// (`createCoreV1NamespacedPod`, `patchAppsV1NamespacedDeploymentScale`), with the query parameters
/// kube-apiserver documents for each action; kubectl looks for `fieldValidation` on PATCH to decide
/// that the server validates fields itself.
public struct APIOperation: Hashable, Sendable {
    public enum Location: String, Hashable, Sendable { case path, query }

    public struct Parameter: Hashable, Sendable {
        public var name: String
        public var location: Location
        public var type: String
        public var description: String
        public var required: Bool
        public var uniqueItems: Bool

        init(_ name: String, in location: Location = .query, type: String = "string", required: Bool = false,
             uniqueItems: Bool = false, _ description: String) {
            self.name = name
            self.location = location
            self.type = type
            self.description = description
            self.required = required
            self.uniqueItems = uniqueItems
        }
    }

    /// "get", "post", "put", "patch", "delete".
    public var method: String
    public var path: String
    public var operationID: String
    public var description: String
    /// `x-kubernetes-action`: get, list, post, put, patch, delete, deletecollection, connect.
    public var action: String
    public var gvk: GroupVersionKind?
    public var parameters: [Parameter]
    /// The definition the request body must be (nil: no body). Patches take `meta.v1.Patch`.
    public var bodyDefinition: String?
    public var responseDefinition: String?
    /// The tag: the group-version, as Kubernetes tags operations ("core_v1", "apps_v1").
    public var tag: String
}

public enum APIOperations {
    typealias P = APIOperation.Parameter

    static let pretty = P("pretty", "If 'true', the output is pretty printed.")
    static let dryRun = P("dryRun", "When present (All), the request is validated but not persisted.")
    static let fieldManager = P("fieldManager", "The name of the actor making the change, for field ownership.")
    static let fieldValidation = P("fieldValidation",
        "How the server treats fields the schema does not know, or that appear twice: Ignore drops them; Warn (the default) drops them and returns a Warning header for each; Strict fails the request with a BadRequest naming them.")
    static let force = P("force", type: "boolean", "Apply requests only: take ownership of fields other managers own.")
    static let listParameters: [P] = [
        P("allowWatchBookmarks", type: "boolean", "Ask a watch for BOOKMARK events."),
        P("continue", "The token of the next page, from a previous list's metadata.continue."),
        P("fieldSelector", "Select objects by fields, e.g. spec.nodeName=node-a."),
        P("labelSelector", "Select objects by labels, e.g. app=web,tier!=db."),
        P("limit", type: "integer", "The most objects to return; the rest is fetched with continue."),
        P("resourceVersion", "Which version to serve the list (or start the watch) from."),
        P("resourceVersionMatch", "How resourceVersion applies: Exact or NotOlderThan."),
        P("sendInitialEvents", type: "boolean", "With watch: start with synthetic ADDED events for existing objects."),
        P("timeoutSeconds", type: "integer", "How long a list or watch may last."),
        P("watch", type: "boolean", "Stream changes instead of returning a list."),
    ]
    static let deleteParameters: [P] = [
        dryRun,
        P("gracePeriodSeconds", type: "integer", "Seconds before the object is deleted; 0 deletes at once."),
        P("ignoreStoreReadErrorWithClusterBreakingPotential", type: "boolean", "Delete even if the stored object cannot be read."),
        P("orphanDependents", type: "boolean", "Deprecated: use propagationPolicy."),
        P("propagationPolicy", "How dependents are deleted: Orphan, Background or Foreground."),
    ]

    /// "Core" for the core group, "Apps", "Coordination" for coordination.k8s.io.
    static func groupWord(_ group: String) -> String {
        guard let first = group.split(separator: ".").first, !first.isEmpty else { return "Core" }
        return first.prefix(1).uppercased() + first.dropFirst()
    }

    static func capitalized(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// The URL prefix of a group-version: "api/v1", "apis/apps/v1".
    public static func groupVersionPath(group: String, version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    /// Every operation served under a group-version.
    public static func operations(group: String, version: String) -> [APIOperation] {
        APIResourceCatalog.resources.filter { $0.group == group && $0.version == version }
            .flatMap(operations(for:))
    }

    static func operations(for r: APIResourceInfo) -> [APIOperation] {
        let base = "/" + groupVersionPath(group: r.group, version: r.version)
        let collection = r.namespaced ? "\(base)/namespaces/{namespace}/\(r.name)" : "\(base)/\(r.name)"
        let item = collection + "/{name}"
        let gv = groupWord(r.group) + capitalized(r.version)
        let scope = r.namespaced ? "Namespaced" : ""
        let gvk = GroupVersionKind(group: r.group, version: r.version, kind: r.kind)
        let definition = SchemaNames.definitionName(group: r.group, version: r.version, kind: r.kind)
        let listDefinition = definition + "List"
        let tag = (r.group.isEmpty ? "core" : (r.group.split(separator: ".").first.map(String.init) ?? r.group)) + "_" + r.version
        let pathParameters = (r.namespaced ? [P("namespace", in: .path, required: true, "The object's namespace.")] : [])
        let itemParameters = pathParameters + [P("name", in: .path, required: true, "The \(r.kind)'s name."), pretty]
        let collectionParameters = pathParameters + [pretty]
        var ops: [APIOperation] = []

        func op(_ method: String, _ path: String, _ verb: String, _ suffix: String = "", action: String,
                kind: GroupVersionKind? = nil, _ parameters: [P], body: String? = nil, response: String?,
                _ description: String) {
            ops.append(APIOperation(method: method, path: path, operationID: verb + gv + scope + r.kind + suffix,
                                    description: description, action: action, gvk: kind ?? gvk,
                                    parameters: parameters, bodyDefinition: body, responseDefinition: response,
                                    tag: tag))
        }

        let verbs = Set(r.verbs)
        if verbs.contains("list") {
            op("get", collection, "list", action: "list", collectionParameters + listParameters, response: listDefinition,
               "list or watch objects of kind \(r.kind)")
        }
        if verbs.contains("create") {
            op("post", collection, "create", action: "post", collectionParameters + [dryRun, fieldManager, fieldValidation],
               body: definition, response: definition, "create a \(r.kind)")
        }
        if verbs.contains("deletecollection") {
            op("delete", collection, "delete", action: "deletecollection",
               collectionParameters + deleteParameters + listParameters, body: SchemaNames.meta + "DeleteOptions",
               response: SchemaNames.meta + "Status", "delete collection of \(r.kind)")
            // Kubernetes names it deleteCoreV1CollectionNamespacedPod: "Collection" goes before the scope.
            ops[ops.count - 1].operationID = "delete" + gv + "Collection" + scope + r.kind
        }
        if verbs.contains("get") {
            op("get", item, "read", action: "get", itemParameters, response: definition, "read the specified \(r.kind)")
        }
        if verbs.contains("update") {
            op("put", item, "replace", action: "put", itemParameters + [dryRun, fieldManager, fieldValidation],
               body: definition, response: definition, "replace the specified \(r.kind)")
        }
        if verbs.contains("patch") {
            op("patch", item, "patch", action: "patch", itemParameters + [dryRun, fieldManager, fieldValidation, force],
               body: SchemaNames.meta + "Patch", response: definition, "partially update the specified \(r.kind)")
        }
        if verbs.contains("delete") {
            op("delete", item, "delete", action: "delete", itemParameters + deleteParameters,
               body: SchemaNames.meta + "DeleteOptions", response: SchemaNames.meta + "Status",
               "delete a \(r.kind)")
        }
        if r.namespaced && verbs.contains("list") {
            ops.append(APIOperation(method: "get", path: "\(base)/\(r.name)", operationID: "list" + gv + r.kind + "ForAllNamespaces",
                                    description: "list or watch objects of kind \(r.kind) in every namespace",
                                    action: "list", gvk: gvk, parameters: [pretty] + listParameters,
                                    bodyDefinition: nil, responseDefinition: listDefinition, tag: tag))
        }

        for sub in r.subresources {
            let subGroup = sub.group ?? r.group
            let subVersion = sub.version ?? r.version
            let subGVK = GroupVersionKind(group: subGroup, version: subVersion, kind: sub.kind)
            let subDefinition = SchemaNames.definitionName(group: subGroup, version: subVersion, kind: sub.kind)
            let known = APISchema.definitions[subDefinition] != nil
            let path = item + "/" + sub.name
            let suffix = capitalized(sub.name)
            let subVerbs = Set(sub.verbs)
            switch sub.name {
            case "status", "scale", "finalize":
                if subVerbs.contains("get") {
                    op("get", path, "read", suffix, action: "get", kind: subGVK, itemParameters, response: subDefinition,
                       "read \(sub.name) of the specified \(r.kind)")
                }
                if subVerbs.contains("update") {
                    op("put", path, "replace", suffix, action: "put", kind: subGVK,
                       itemParameters + [dryRun, fieldManager, fieldValidation], body: subDefinition,
                       response: subDefinition, "replace \(sub.name) of the specified \(r.kind)")
                }
                if subVerbs.contains("patch") {
                    op("patch", path, "patch", suffix, action: "patch", kind: subGVK,
                       itemParameters + [dryRun, fieldManager, fieldValidation, force], body: SchemaNames.meta + "Patch",
                       response: subDefinition, "partially update \(sub.name) of the specified \(r.kind)")
                }
            case "binding", "eviction":
                op("post", path, "create", suffix, action: "post", kind: subGVK,
                   itemParameters + [dryRun, fieldManager, fieldValidation], body: known ? subDefinition : nil,
                   response: known ? subDefinition : nil, "create \(sub.name) of a \(r.kind)")
            case "log":
                op("get", path, "read", "Log", action: "get", kind: GroupVersionKind(group: "", version: "v1", kind: "Pod"),
                   itemParameters + [P("container", "The container to stream logs of."),
                                     P("follow", type: "boolean", "Stream the log as it grows."),
                                     P("previous", type: "boolean", "The log of the previous, terminated container."),
                                     P("sinceSeconds", type: "integer", "Only lines from the last N seconds."),
                                     P("tailLines", type: "integer", "Only the last N lines."),
                                     P("timestamps", type: "boolean", "Prefix each line with its RFC 3339 timestamp.")],
                   response: nil, "read log of the specified Pod")
            default:
                // exec, attach, portforward, proxy: connect actions, one per method.
                for (method, verb) in [("get", "get"), ("post", "create"), ("put", "update"), ("patch", "patch"), ("delete", "delete")]
                where subVerbs.contains(verb) {
                    ops.append(APIOperation(method: method, path: path,
                                            operationID: "connect" + capitalized(method) + gv + scope + r.kind + suffix,
                                            description: "connect \(method.uppercased()) requests to \(sub.name) of \(r.kind)",
                                            action: "connect", gvk: subGVK, parameters: itemParameters,
                                            bodyDefinition: nil, responseDefinition: nil, tag: tag))
                }
            }
        }
        return ops
    }
}
