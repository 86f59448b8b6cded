import KubeAPI

/// `metav1.ListOptions` from the query string, checked: anything unparsable is a 400 Status.
struct ListOptions: Sendable {
    var labelSelector = Selector.everything
    var fieldSelector = FieldSelector.everything
    var limit: Int64 = 0
    var continueToken: ContinueToken?
    /// nil = unset (most recent, linearizable); "0" = any.
    var resourceVersion: String?
    var resourceVersionMatch: String?
    var watch = false
    var allowWatchBookmarks = false
    var timeoutSeconds: Int?
    var sendInitialEvents: Bool?

    var resourceVersionNumber: Int64? { resourceVersion.flatMap { Int64($0) } }

    static func parse(_ request: APIRequest) throws(Status) -> ListOptions {
        var o = ListOptions()
        if let s = request.queryValue("labelSelector") {
            do { o.labelSelector = try Selector.parse(s) } catch { throw Status.badRequest("unable to parse requirement: \(error.message)") }
        }
        if let s = request.queryValue("fieldSelector") {
            do { o.fieldSelector = try FieldSelector.parse(s) } catch { throw Status.badRequest(error.message) }
        }
        if let s = request.queryValue("limit"), !s.isEmpty {
            guard let n = Int64(s) else { throw Status.badRequest(parseIntError("limit", s)) }
            guard n >= 0 else { throw Status.badRequest("limit: Invalid value: \(n): must be greater than or equal to 0") }
            o.limit = n
        }
        if let s = request.queryValue("resourceVersion"), !s.isEmpty {
            guard let n = Int64(s), n >= 0 else {
                throw Status.badRequest("invalid resource version \"\(s)\": resource version must be a non-negative integer")
            }
            o.resourceVersion = s
            _ = n
        }
        if let s = request.queryValue("resourceVersionMatch"), !s.isEmpty {
            guard ["Exact", "NotOlderThan"].contains(s) else {
                throw Status.badRequest("resourceVersionMatch: Unsupported value: \"\(s)\": supported values: \"Exact\", \"NotOlderThan\"")
            }
            guard o.resourceVersion != nil else {
                throw Status.badRequest("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")
            }
            if s == "Exact" && o.resourceVersion == "0" {
                throw Status.badRequest("resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"")
            }
            o.resourceVersionMatch = s
        }
        if let s = request.queryValue("continue"), !s.isEmpty {
            do { o.continueToken = try ContinueToken.decode(s) } catch {
                throw Status.badRequest("continue key is not valid: \(error)")
            }
            if let rv = o.resourceVersion, rv != "0" {
                throw Status.badRequest("specifying resource version is not allowed when using continue")
            }
        }
        o.watch = try parseBool(request, "watch") ?? false
        o.allowWatchBookmarks = try parseBool(request, "allowWatchBookmarks") ?? false
        o.sendInitialEvents = try parseBool(request, "sendInitialEvents")
        if let s = request.queryValue("timeoutSeconds"), !s.isEmpty {
            guard let n = Int(s) else { throw Status.badRequest(parseIntError("timeoutSeconds", s)) }
            guard n >= 0 else { throw Status.badRequest("timeoutSeconds: Invalid value: \(n): must be greater than or equal to 0") }
            o.timeoutSeconds = n
        }
        return o
    }

    static func parseIntError(_ name: String, _ value: String) -> String {
        "\(name): strconv.ParseInt: parsing \"\(value)\": invalid syntax"
    }

    static func parseBool(_ request: APIRequest, _ name: String) throws(Status) -> Bool? {
        guard let s = request.queryValue(name) else { return nil }
        guard let value = boolValue(s) else {
            throw Status.badRequest("\(name): strconv.ParseBool: parsing \"\(s)\": invalid syntax")
        }
        return value
    }

    /// A boolean query value; an empty one (`?watch`) means true. Nil when it is not a boolean.
    static func boolValue(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "", "true", "1", "t": return true
        case "false", "0", "f": return false
        default: return nil
        }
    }
}

/// `dryRun=All` (the only value kube accepts).
func parseDryRun(_ request: APIRequest) throws(Status) -> Bool {
    let values = request.query.filter { $0.name == "dryRun" }.map(\.value)
    for v in values where v != "All" && !v.isEmpty {
        throw Status.badRequest("dryRun: Unsupported value: \"\(v)\": supported values: \"All\"")
    }
    return values.contains("All")
}

/// `metav1.DeleteOptions`, from the body (JSON) with the query's values taking their place when set.
struct DeleteOptions: Sendable, Decodable {
    struct Preconditions: Sendable, Decodable {
        var uid: String?
        var resourceVersion: String?
    }
    var gracePeriodSeconds: Int64?
    var preconditions: Preconditions?
    var orphanDependents: Bool?
    var propagationPolicy: String?
    var dryRun: [String]?

    static func parse(_ request: APIRequest) throws(Status) -> DeleteOptions {
        var o = DeleteOptions()
        if !request.body.isEmpty {
            do {
                let protobuf = request.header("content-type")?.hasPrefix("application/vnd.kubernetes.protobuf") ?? false
                let v = protobuf ? try KubeProtobuf.decode(request.body) : try JSONValue.parse(request.body)
                o = try v.decode(DeleteOptions.self)
            } catch {
                throw Status.badRequest("invalid DeleteOptions body: \(error)")
            }
        }
        if let s = request.queryValue("gracePeriodSeconds"), !s.isEmpty {
            guard let n = Int64(s) else { throw Status.badRequest(ListOptions.parseIntError("gracePeriodSeconds", s)) }
            o.gracePeriodSeconds = n
        }
        if let s = request.queryValue("propagationPolicy"), !s.isEmpty { o.propagationPolicy = s }
        if let b = try ListOptions.parseBool(request, "orphanDependents") { o.orphanDependents = b }
        if let p = o.propagationPolicy, !["Orphan", "Foreground", "Background"].contains(p) {
            throw Status.invalid(kind: "DeleteOptions", group: "meta.k8s.io", name: "",
                                 [.notSupported("propagationPolicy", p, ["Foreground", "Background", "Orphan", "nil"])])
        }
        if o.orphanDependents != nil && o.propagationPolicy != nil {
            throw Status.invalid(kind: "DeleteOptions", group: "meta.k8s.io", name: "",
                                 [.invalid("propagationPolicy", o.propagationPolicy ?? "",
                                           "orphanDependents and deletionPropagation cannot be both set")])
        }
        if try parseDryRun(request) { o.dryRun = ["All"] }
        if let d = o.dryRun, d.contains(where: { $0 != "All" }) {
            throw Status.badRequest("dryRun: Unsupported value: supported values: \"All\"")
        }
        return o
    }

    init() {}

    var isDryRun: Bool { dryRun?.contains("All") ?? false }
}
