// The seam between the HTTPS layer (ControlPlane: TLS, authentication, HTTP/1.1 framing) and the
// Kubernetes API proper (this module: routing, registry, watch, admission). The HTTPS layer turns each
// request into an `APIRequest` with the authenticated user, calls `APIHandler.handle`, and writes the
// `APIResponse` back, streaming chunk by chunk when the body is a stream (watch, follow logs).

import Channels

/// Who is asking, as the authenticator established it (client certificate CN/O, or a bearer token).
public struct UserInfo: Hashable, Sendable {
    public var name: String
    public var groups: [String]

    public init(name: String, groups: [String]) {
        self.name = name
        self.groups = groups
    }

    public static let anonymous = UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])
}

public struct APIRequest: Sendable {
    /// "GET", "POST", "PUT", "PATCH", "DELETE".
    public var method: String
    /// The path without the query, percent-decoded segments not yet split ("/api/v1/namespaces/x/pods").
    public var path: String
    /// Query parameters in order; a name may repeat.
    public var query: [(name: String, value: String)]
    /// Header names lowercased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var user: UserInfo

    public init(method: String, path: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)] = [], body: [UInt8] = [], user: UserInfo) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.user = user
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }

    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}

/// A streamed response body: producers send chunks without waiting; the HTTPS layer writes all
/// pending chunks at once.
public typealias ResponseStream = BufferedChannel<[UInt8], Never>

public struct APIResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Written as HTTP chunks as they arrive (all pending chunks in one write); the response ends
        /// when the producer finishes the channel. The writer cancels it when the client goes away.
        case stream(ResponseStream)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

public protocol APIHandler: Sendable {
    func handle(_ request: APIRequest) async -> APIResponse
}
