/// What a request addresses, parsed from its path as k8s.io/apiserver's `RequestInfoFactory` does:
/// `/api/v1/...` and `/apis/{group}/{version}/...` are resource requests (optionally under the legacy
/// `/watch/` prefix), anything else is a non-resource path (`/version`, `/healthz`...).
public struct RequestInfo: Hashable, Sendable {
    public var isResourceRequest: Bool
    public var path: String
    /// "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"; for
    /// non-resource requests the lowercased HTTP method.
    public var verb: String
    /// "api" or "apis" for resource requests.
    public var apiPrefix: String
    public var apiGroup: String
    public var apiVersion: String
    public var namespace: String
    public var resource: String
    public var subresource: String
    public var name: String
    /// Path segments after `/api` or `/apis` (for discovery requests like `/apis/apps`).
    public var parts: [String]

    public init(nonResource path: String, verb: String) {
        isResourceRequest = false
        self.path = path
        self.verb = verb
        apiPrefix = ""
        apiGroup = ""
        apiVersion = ""
        namespace = ""
        resource = ""
        subresource = ""
        name = ""
        parts = []
    }

    /// Subresources of a namespace that keep `namespaces/{name}/x` addressing the namespace itself.
    static let namespaceSubresources: Set<String> = ["status", "finalize"]

    /// Parses `path` (without query) for `method`; `watchParam` is the `watch` query value.
    public static func parse(method: String, path: String, watchParam: String?) -> RequestInfo {
        let httpVerb = method.lowercased()
        var info = RequestInfo(nonResource: path, verb: httpVerb)
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let prefix = parts.first, prefix == "api" || prefix == "apis" else { return info }
        info.apiPrefix = prefix
        parts.removeFirst()
        info.parts = parts
        if prefix == "apis" {
            // /apis and /apis/{group} are discovery, not resources.
            guard parts.count >= 3 else { return info }
            info.apiGroup = parts[0]
            info.apiVersion = parts[1]
            parts.removeFirst(2)
        } else {
            guard parts.count >= 2 else { if parts.count == 1 { info.apiVersion = parts[0] }; return info }
            info.apiVersion = parts[0]
            parts.removeFirst()
        }
        info.isResourceRequest = true

        var legacyWatch = false
        if parts.first == "watch" {
            legacyWatch = true
            parts.removeFirst()
            guard !parts.isEmpty else { info.isResourceRequest = false; return info }
        }
        switch httpVerb {
        case "post": info.verb = "create"
        case "get", "head": info.verb = "get"
        case "put": info.verb = "update"
        case "patch": info.verb = "patch"
        case "delete": info.verb = "delete"
        default: info.verb = ""
        }

        if parts.first == "namespaces" {
            if parts.count > 1 {
                info.namespace = parts[1]
                if parts.count > 2 && !namespaceSubresources.contains(parts[2]) {
                    parts.removeFirst(2)
                }
            }
        }
        info.resource = parts.first ?? ""
        if parts.count >= 2 { info.name = parts[1] }
        if parts.count >= 3 { info.subresource = parts[2] }
        if parts.count > 3 { info.subresource = parts[2...].joined(separator: "/") }

        if legacyWatch && info.verb == "get" {
            info.verb = "watch"
        } else if info.verb == "get" && info.name.isEmpty {
            // Read as the list options read it, so a request routed as a watch is parsed as one.
            info.verb = watchParam.flatMap(ListOptions.boolValue) == true ? "watch" : "list"
        } else if info.verb == "delete" && info.name.isEmpty {
            info.verb = "deletecollection"
        }
        return info
    }

    public var groupVersion: String { apiGroup.isEmpty ? apiVersion : apiGroup + "/" + apiVersion }
}
