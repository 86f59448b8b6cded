/// What a request asks to do, as Kubernetes' `RequestInfoFactory` reads it from the path, method and
/// query: the attributes authorization decides on and forbidden messages name.
struct RequestInfo: Hashable, Sendable {
    var isResourceRequest: Bool
    /// The path as requested (for non-resource requests: what the message names).
    var path: String
    /// get, list, watch, create, update, patch, delete, deletecollection (resource requests), or the
    /// lowercased method for non-resource ones.
    var verb: String
    var apiGroup: String = ""
    var apiVersion: String = ""
    var namespace: String = ""
    var resource: String = ""
    var subresource: String = ""
    var name: String = ""

    /// Subresources of a namespace itself (`/api/v1/namespaces/x/status`), not resources inside it.
    private static let namespaceSubresources: Set<String> = ["status", "finalize"]

    static func parse(method: String, path: String, query: [(name: String, value: String)]) -> RequestInfo {
        let lowerMethod = method.lowercased()
        let nonResource = RequestInfo(isResourceRequest: false, path: path, verb: lowerMethod)
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // "/a/b/" -> ["", "a", "b", ""]: drop the leading and trailing empties as strings.Trim does.
        while parts.first == "" { parts.removeFirst() }
        while parts.last == "" { parts.removeLast() }
        guard let prefix = parts.first, prefix == "api" || prefix == "apis" else { return nonResource }
        parts.removeFirst()

        var info = RequestInfo(isResourceRequest: true, path: path, verb: "")
        if prefix == "apis" {
            guard parts.count >= 3 else { return nonResource }  // discovery: /apis, /apis/g, /apis/g/v
            info.apiGroup = parts.removeFirst()
        } else if parts.count < 2 {
            return nonResource  // /api, /api/v1
        }
        info.apiVersion = parts.removeFirst()

        switch lowerMethod {
        case "post": info.verb = "create"
        case "get", "head": info.verb = "get"
        case "put": info.verb = "update"
        case "patch": info.verb = "patch"
        case "delete": info.verb = "delete"
        default: info.verb = ""
        }
        if parts.first == "watch" {
            info.verb = "watch"
            parts.removeFirst()
        }
        guard !parts.isEmpty else { return nonResource }

        if parts[0] == "namespaces" {
            if parts.count > 1 {
                info.namespace = parts[1]
                if parts.count > 2 && !namespaceSubresources.contains(parts[2]) {
                    parts.removeFirst(2)
                }
            }
        }
        info.resource = parts[0]
        if parts.count >= 2 { info.name = parts[1] }
        if parts.count >= 3 { info.subresource = parts[2] }

        if info.name.isEmpty && info.verb == "get" {
            let watch = query.first { $0.name == "watch" }?.value
            info.verb = watch.map(parseBool) == true ? "watch" : "list"
            if let fieldSelector = query.first(where: { $0.name == "fieldSelector" })?.value,
               let name = exactMetadataName(fieldSelector) {
                info.name = name
            }
        }
        if info.name.isEmpty && info.verb == "delete" { info.verb = "deletecollection" }
        return info
    }

    /// strconv.ParseBool's true spellings.
    private static func parseBool(_ s: String) -> Bool {
        ["1", "t", "T", "TRUE", "true", "True"].contains(s)
    }

    /// `metadata.name=x` (or `==`) as the only term of a field selector names one object.
    private static func exactMetadataName(_ selector: String) -> String? {
        for op in ["==", "="] {
            let prefix = "metadata.name" + op
            if selector.hasPrefix(prefix) {
                let name = String(selector.dropFirst(prefix.count))
                if name.isEmpty || name.contains(",") || name.contains("/") || name == "." || name == ".." { return nil }
                return name
            }
        }
        return nil
    }
}
