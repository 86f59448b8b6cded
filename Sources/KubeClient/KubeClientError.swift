import KubeAPI

/// Every failure the client reports, naming the step and the object it concerned.
public enum KubeClientError: Error, Sendable, CustomStringConvertible {
    /// The API server answered with a `Status` (or a non-2xx status without one).
    case status(code: Int, reason: String, message: String)
    /// 409 Conflict on a write that carried a stale resourceVersion (not AlreadyExists).
    case conflict(message: String)
    /// The kubeconfig or explicit configuration is unusable.
    case config(String)
    /// The kind is not in `APIResourceCatalog`, or lacks the subresource asked for.
    case unknownResource(String)
    /// Connecting to or talking with the server failed.
    case transport(step: String, target: String, underlying: String)
    /// No (complete) response within the request timeout.
    case timeout(method: String, path: String)
    /// A response body that does not decode as the expected type.
    case decode(what: String, underlying: String)

    public var description: String {
        switch self {
        case .status(let code, let reason, let message): "\(code) \(reason): \(message)"
        case .conflict(let message): "409 Conflict: \(message)"
        case .config(let m): "kubeconfig: \(m)"
        case .unknownResource(let m): "unknown resource: \(m)"
        case .transport(let step, let target, let underlying): "\(step) \(target): \(underlying)"
        case .timeout(let method, let path): "\(method) \(path): timed out"
        case .decode(let what, let underlying): "decoding \(what): \(underlying)"
        }
    }

    public var code: Int? {
        switch self {
        case .status(let code, _, _): code
        case .conflict: 409
        default: nil
        }
    }

    public var reason: String? {
        switch self {
        case .status(_, let reason, _): reason
        case .conflict: "Conflict"
        default: nil
        }
    }

    public var isNotFound: Bool { reason == "NotFound" || (reason?.isEmpty ?? true) && code == 404 }
    public var isConflict: Bool { reason == "Conflict" }
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    /// 410: the resourceVersion asked for is compacted away (reason Gone or Expired): relist.
    public var isGone: Bool { code == 410 || reason == "Gone" || reason == "Expired" }
    public var isTimeout: Bool {
        if case .timeout = self { return true }
        return code == 504 || reason == "Timeout"
    }

    /// The error a `Status` body (from a response or a watch ERROR event) stands for.
    public static func from(_ status: Status, httpCode: Int? = nil) -> KubeClientError {
        let code = status.code.map(Int.init) ?? httpCode ?? 500
        let reason = status.reason ?? ""
        let message = status.message ?? ""
        if code == 409, reason == "Conflict" { return .conflict(message: message) }
        return .status(code: code, reason: reason, message: message)
    }
}
