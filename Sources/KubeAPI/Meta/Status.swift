/// `metav1.StatusCause`: one field-level problem (`reason` is the cause type, e.g. `FieldValueInvalid`).
public struct StatusCause: Codable, Hashable, Sendable {
    public var reason: String?
    public var message: String?
    public var field: String?
    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}

/// `metav1.StatusDetails`.
public struct StatusDetails: Codable, Hashable, Sendable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int32?
    public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
                causes: [StatusCause]? = nil, retryAfterSeconds: Int32? = nil) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// `metav1.Status`: the body of every API error (and of some successful deletes).
public struct Status: Codable, Hashable, Sendable, Error, CustomStringConvertible {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta?
    /// "Success" or "Failure".
    public var status: String?
    public var message: String?
    public var reason: String?
    public var details: StatusDetails?
    public var code: Int32?

    public init(status: String? = nil, message: String? = nil, reason: String? = nil, details: StatusDetails? = nil,
                code: Int32? = nil) {
        apiVersion = "v1"
        kind = "Status"
        metadata = ListMeta()
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }

    public var description: String { message ?? reason ?? "unknown error" }

    public static func success() -> Status { Status(status: "Success") }

    static func failure(_ reason: String, _ code: Int32, _ message: String, _ details: StatusDetails? = nil) -> Status {
        Status(status: "Failure", message: message, reason: reason, details: details, code: code)
    }
}

/// A group-qualified resource or kind as it appears in error messages (`pods`, `deployments.apps`).
public struct GroupResource: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var resource: String
    public init(group: String = "", resource: String) {
        self.group = group
        self.resource = resource
    }
    public var description: String { group.isEmpty ? resource : resource + "." + group }
}

/// One validation failure, as `field.Error`: renders `spec.x: Invalid value: "v": detail`.
public struct FieldError: Hashable, Sendable, Error, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case required = "FieldValueRequired"
        case invalid = "FieldValueInvalid"
        case duplicate = "FieldValueDuplicate"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case notFound = "FieldValueNotFound"
    }
    public var kind: Kind
    public var field: String
    /// The offending value already rendered (strings quoted, e.g. `"abc"`), if any.
    public var value: String?
    public var detail: String

    public init(_ kind: Kind, field: String, value: String? = nil, detail: String = "") {
        self.kind = kind
        self.field = field
        self.value = value
        self.detail = detail
    }

    public static func invalid(_ field: String, _ value: String, _ detail: String) -> FieldError {
        FieldError(.invalid, field: field, value: quote(value), detail: detail)
    }
    public static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(.required, field: field, detail: detail)
    }
    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(.forbidden, field: field, detail: detail)
    }
    public static func duplicate(_ field: String, _ value: String) -> FieldError {
        FieldError(.duplicate, field: field, value: quote(value))
    }
    public static func notSupported(_ field: String, _ value: String, _ supported: [String]) -> FieldError {
        FieldError(.notSupported, field: field, value: quote(value),
                   detail: supported.isEmpty ? "" : "supported values: " + supported.map(quote).joined(separator: ", "))
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }

    /// `ErrorBody()`: the message without the field path.
    public var body: String {
        let head: String
        switch kind {
        case .required: head = "Required value"
        case .invalid: head = "Invalid value"
        case .duplicate: head = "Duplicate value"
        case .notSupported: head = "Unsupported value"
        case .forbidden: head = "Forbidden"
        case .tooLong: head = "Too long"
        case .notFound: head = "Not found"
        }
        var s = head
        if let value { s += ": " + value }
        if !detail.isEmpty { s += ": " + detail }
        return s
    }

    public var description: String { field.isEmpty ? body : field + ": " + body }
}

extension Status {
    public static func notFound(_ resource: GroupResource, name: String) -> Status {
        failure("NotFound", 404, "\(resource) \"\(name)\" not found",
                StatusDetails(name: name, group: nonEmpty(resource.group), kind: resource.resource))
    }

    public static func alreadyExists(_ resource: GroupResource, name: String) -> Status {
        failure("AlreadyExists", 409, "\(resource) \"\(name)\" already exists",
                StatusDetails(name: name, group: nonEmpty(resource.group), kind: resource.resource))
    }

    public static func conflict(_ resource: GroupResource, name: String, _ why: String) -> Status {
        failure("Conflict", 409, "Operation cannot be fulfilled on \(resource) \"\(name)\": \(why)",
                StatusDetails(name: name, group: nonEmpty(resource.group), kind: resource.resource))
    }

    /// 422 with one cause per field error; `kind` is the object kind (`Pod`), `group` its API group.
    public static func invalid(kind: String, group: String = "", name: String, _ errors: [FieldError]) -> Status {
        let qualified = group.isEmpty ? kind : kind + "." + group
        var message = "\(qualified) \"\(name)\" is invalid"
        if errors.count == 1 {
            message += ": " + errors[0].description
        } else if errors.count > 1 {
            message += ": [" + errors.map(\.description).joined(separator: ", ") + "]"
        }
        let causes = errors.map { StatusCause(reason: $0.kind.rawValue, message: $0.body, field: $0.field) }
        return failure("Invalid", 422, message,
                       StatusDetails(name: name, group: nonEmpty(group), kind: kind, causes: causes))
    }

    public static func badRequest(_ message: String) -> Status { failure("BadRequest", 400, message) }

    public static func unauthorized(_ message: String = "") -> Status {
        failure("Unauthorized", 401, message.isEmpty ? "not authorized" : message)
    }

    public static func forbidden(_ resource: GroupResource?, name: String = "", _ why: String) -> Status {
        let message: String
        if let resource, !resource.resource.isEmpty {
            message = name.isEmpty ? "\(resource) is forbidden: \(why)" : "\(resource) \"\(name)\" is forbidden: \(why)"
        } else {
            message = "forbidden: \(why)"
        }
        return failure("Forbidden", 403, message,
                       StatusDetails(name: nonEmpty(name), group: nonEmpty(resource?.group ?? ""),
                                     kind: nonEmpty(resource?.resource ?? "")))
    }

    public static func gone(_ message: String) -> Status { failure("Gone", 410, message) }

    /// 410 Expired: a watch or list resumed from a compacted resourceVersion.
    public static func expired(_ message: String) -> Status { failure("Expired", 410, message) }

    public static func methodNotAllowed(_ resource: GroupResource, action: String) -> Status {
        failure("MethodNotAllowed", 405, "\(action) is not supported on resources of kind \"\(resource)\"",
                StatusDetails(group: nonEmpty(resource.group), kind: resource.resource))
    }

    /// As the API server's content negotiation: `accepted` lists the media types it can decode.
    public static func unsupportedMediaType(accepted: [String] = ["application/json", "application/yaml",
                                                                   "application/vnd.kubernetes.protobuf"]) -> Status {
        failure("UnsupportedMediaType", 415,
                "the body of the request was in an unknown format - accepted media types include: "
                    + accepted.joined(separator: ", "))
    }

    public static func serviceUnavailable(_ message: String) -> Status { failure("ServiceUnavailable", 503, message) }

    public static func timeout(_ message: String, retryAfterSeconds: Int32? = nil) -> Status {
        failure("Timeout", 504, "Timeout: \(message)", retryAfterSeconds.map { StatusDetails(retryAfterSeconds: $0) })
    }

    public static func requestEntityTooLarge(_ message: String) -> Status {
        failure("RequestEntityTooLarge", 413, "Request entity too large: \(message)")
    }

    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int32) -> Status {
        failure("TooManyRequests", 429, message, StatusDetails(retryAfterSeconds: retryAfterSeconds))
    }

    public static func internalError(_ message: String) -> Status {
        failure("InternalError", 500, "Internal error occurred: \(message)",
                StatusDetails(causes: [StatusCause(message: message)]))
    }
}

@inline(__always) func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }
