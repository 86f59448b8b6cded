import APIServer

// Authorization reads a request the way the API server routes it (one parser: APIServer's
// RequestInfo), plus the one rule kube-apiserver's RequestInfoFactory adds for authorizers: a list or
// watch whose field selector is exactly `metadata.name=x` is about the object named x, so a user
// allowed to get one object may list/watch it by name.
extension RequestInfo {
    static func parse(method: String, path: String, query: [(name: String, value: String)]) -> RequestInfo {
        var info = parse(method: method, path: path, watchParam: query.first { $0.name == "watch" }?.value)
        if info.isResourceRequest, info.name.isEmpty, info.verb == "list" || info.verb == "watch",
           let selector = query.first(where: { $0.name == "fieldSelector" })?.value,
           let name = exactMetadataName(selector) {
            info.name = name
        }
        return info
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
