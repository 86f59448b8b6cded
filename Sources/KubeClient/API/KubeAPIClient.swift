import FoundationEssentials
import KubeAPI
import NIOCore
import NIOHTTP1

/// Typed access to the Kubernetes API: get, list, watch, create, update, patch, delete and the
/// subresources, for every `KubeObject` kind in `APIResourceCatalog`. client-go's typed clientset,
/// generic over the kind instead of generated per kind.
public struct KubeAPIClient: Sendable {
    public let transport: HTTPTransport

    public init(transport: HTTPTransport) {
        self.transport = transport
    }

    public init(config: KubeClientConfig) throws(KubeClientError) {
        transport = try HTTPTransport(config: config)
    }

    /// From a kubeconfig file and context (its current context by default).
    public init(kubeconfigPath: String, context: String? = nil) throws(KubeClientError) {
        try self.init(config: KubeClientConfig(kubeconfigPath: kubeconfigPath, context: context))
    }

    // MARK: reads

    public func get<T: KubeObject>(_ type: T.Type, name: String, namespace: String? = nil) async throws(KubeClientError) -> T {
        let path = try ResourcePath(for: T.self).path(namespace: namespace, name: name)
        return try await send(HTTPRequest(method: .GET, path: path), as: T.self)
    }

    /// One page (or all, without a limit). A nil namespace lists across all namespaces.
    public func list<T: KubeObject>(_ type: T.Type, namespace: String? = nil, options: ListOptions = ListOptions())
        async throws(KubeClientError) -> List<T> {
        let path = try ResourcePath(for: T.self).path(namespace: namespace) + options.query
        return try await send(HTTPRequest(method: .GET, path: path), as: List<T>.self)
    }

    /// Every page, following continue tokens; the result carries the first page's resourceVersion
    /// (the snapshot all pages were served from).
    public func listAll<T: KubeObject>(_ type: T.Type, namespace: String? = nil, options: ListOptions = ListOptions())
        async throws(KubeClientError) -> List<T> {
        var page = try await list(T.self, namespace: namespace, options: options)
        var items = page.items
        let metadata = ListMeta(resourceVersion: page.metadata.resourceVersion)
        while let token = page.metadata.continue, !token.isEmpty {
            var next = options
            next.continue = token
            next.resourceVersion = nil
            next.resourceVersionMatch = nil
            page = try await list(T.self, namespace: namespace, options: next)
            items += page.items
        }
        return List(items: items, metadata: metadata)
    }

    /// A watch as a stream of typed events. The stream ends when the server closes the watch
    /// (timeoutSeconds) and throws on an ERROR event (`isGone` when the version is too old) or a
    /// broken connection. Cancelling the consuming task closes the connection.
    public func watch<T: KubeObject>(_ type: T.Type, namespace: String? = nil, options: WatchOptions = WatchOptions())
        async throws(KubeClientError) -> WatchEvents<T> {
        let path = try ResourcePath(for: T.self).path(namespace: namespace) + options.query
        let response = try await transport.stream(HTTPRequest(method: .GET, path: path))
        guard (200..<300).contains(response.status) else {
            defer { response.close() }
            var body: [UInt8] = []
            do {
                for try await chunk in response.body {
                    body += chunk.readableBytesView
                    if body.count > 1 << 20 { break }
                }
            } catch {}
            throw errorFor(status: response.status, body: body)
        }
        // Pull-based: when the consumer drops the stream, the reader goes with it and closes the
        // connection; cancelling the consuming task ends the body stream, which closes it too.
        let reader = WatchReader<T>(body: response.body, close: response.close)
        return WatchEvents { try await reader.next() }
    }

    // MARK: writes

    /// Creates `object` in its `metadata.namespace` (or `namespace` if given).
    public func create<T: KubeObject>(_ object: T, namespace: String? = nil) async throws(KubeClientError) -> T {
        let ns = namespace ?? object.metadata.namespace
        let resource = try ResourcePath(for: T.self)
        if resource.info.namespaced, ns?.isEmpty ?? true {
            throw .unknownResource("\(T.kind) \"\(object.metadata.name ?? "")\" is namespaced: give its namespace")
        }
        let path = try resource.path(namespace: ns)
        return try await send(HTTPRequest(method: .POST, path: path, body: try encode(object.withTypeMeta())), as: T.self)
    }

    /// Replaces `object`; with `metadata.resourceVersion` set, a stale one fails with `.conflict`.
    public func update<T: KubeObject>(_ object: T) async throws(KubeClientError) -> T {
        try await put(object, subresource: nil)
    }

    /// Replaces the status of `object` (its spec is ignored by the server).
    public func updateStatus<T: KubeObject>(_ object: T) async throws(KubeClientError) -> T {
        try await put(object, subresource: "status")
    }

    func put<T: KubeObject>(_ object: T, subresource: String?) async throws(KubeClientError) -> T {
        guard let name = object.metadata.name else { throw .unknownResource("\(T.kind): update without a name") }
        let path = try ResourcePath(for: T.self).path(namespace: object.metadata.namespace, name: name,
                                                      subresource: subresource)
        return try await send(HTTPRequest(method: .PUT, path: path, body: try encode(object.withTypeMeta())), as: T.self)
    }

    /// Patches with raw patch bytes of the given type; `subresource: "status"` patches the status.
    public func patch<T: KubeObject>(_ type: T.Type, name: String, namespace: String? = nil, patchType: PatchType,
                                     body: [UInt8], subresource: String? = nil) async throws(KubeClientError) -> T {
        let path = try ResourcePath(for: T.self).path(namespace: namespace, name: name, subresource: subresource)
        return try await send(HTTPRequest(method: .PATCH, path: path, body: body, contentType: patchType.rawValue),
                              as: T.self)
    }

    /// Deletes an object. Succeeds whether the server answers with the object (still finalizing or
    /// gracefully terminating) or with a Success Status.
    public func delete<T: KubeObject>(_ type: T.Type, name: String, namespace: String? = nil,
                                      options: DeleteOptions? = nil) async throws(KubeClientError) {
        let path = try ResourcePath(for: T.self).path(namespace: namespace, name: name)
        let body = try options.map { (o) throws(KubeClientError) in try encode(o) }
        _ = try await raw(HTTPRequest(method: .DELETE, path: path, body: body))
    }

    // MARK: subresources

    /// Binds a pod to a node (`POST pods/{name}/binding`), as the scheduler does.
    public func bind(_ binding: Binding) async throws(KubeClientError) {
        guard let name = binding.metadata.name else { throw .unknownResource("Binding without the pod's name") }
        let path = try ResourcePath(for: Pod.self).path(namespace: binding.metadata.namespace, name: name,
                                                        subresource: "binding")
        _ = try await raw(HTTPRequest(method: .POST, path: path, body: try encode(binding.withTypeMeta())))
    }

    public func getScale<T: KubeObject>(_ type: T.Type, name: String, namespace: String) async throws(KubeClientError) -> Scale {
        let path = try ResourcePath(for: T.self).path(namespace: namespace, name: name, subresource: "scale")
        return try await send(HTTPRequest(method: .GET, path: path), as: Scale.self)
    }

    public func updateScale<T: KubeObject>(_ type: T.Type, _ scale: Scale) async throws(KubeClientError) -> Scale {
        guard let name = scale.metadata.name else { throw .unknownResource("Scale without a name") }
        let path = try ResourcePath(for: T.self).path(namespace: scale.metadata.namespace, name: name,
                                                      subresource: "scale")
        return try await send(HTTPRequest(method: .PUT, path: path, body: try encode(scale.withTypeMeta())),
                              as: Scale.self)
    }

    // MARK: plumbing

    /// Sends a request; a non-2xx answer becomes the `KubeClientError` its Status body describes.
    public func raw(_ request: HTTPRequest) async throws(KubeClientError) -> HTTPResponse {
        let response = try await transport.execute(request)
        guard (200..<300).contains(response.status) else {
            throw errorFor(status: response.status, body: response.body)
        }
        return response
    }

    func send<R: Decodable>(_ request: HTTPRequest, as type: R.Type) async throws(KubeClientError) -> R {
        let response = try await raw(request)
        do {
            return try JSONDecoder().decode(R.self, from: Data(response.body))
        } catch {
            throw .decode(what: "\(R.self) from \(request.method.rawValue) \(request.path)", underlying: "\(error)")
        }
    }

    func encode(_ value: some Encodable) throws(KubeClientError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            throw .decode(what: "encoding \(type(of: value))", underlying: "\(error)")
        }
    }
}

/// The error a failed response stands for: its Status body if it has one, else one made from the
/// HTTP code with the reason Kubernetes gives that code (as apimachinery's NewGenericServerResponse).
func errorFor(status: Int, body: [UInt8]) -> KubeClientError {
    if let s = try? JSONDecoder().decode(Status.self, from: Data(body)), s.kind == "Status" || s.reason != nil {
        return KubeClientError.from(s, httpCode: status)
    }
    let reason: String = switch status {
    case 400: "BadRequest"
    case 401: "Unauthorized"
    case 403: "Forbidden"
    case 404: "NotFound"
    case 405: "MethodNotAllowed"
    case 409: "Conflict"
    case 410: "Gone"
    case 415: "UnsupportedMediaType"
    case 422: "Invalid"
    case 429: "TooManyRequests"
    case 500: "InternalError"
    case 503: "ServiceUnavailable"
    case 504: "Timeout"
    default: "Unknown"
    }
    let text = String(decoding: body.prefix(512), as: UTF8.self)
    if status == 409 { return .conflict(message: text) }
    return .status(code: status, reason: reason, message: text)
}

/// Turns a watch body into typed events, one `next` at a time; closes the connection when released.
final class WatchReader<T: KubeObject>: @unchecked Sendable {
    private let body: ResponseBody
    private var framer = JSONStreamFramer()
    private var documents: [[UInt8]] = []
    private var nextDocument = 0
    private let decoder = JSONDecoder()
    private let close: @Sendable () -> Void

    init(body: ResponseBody, close: @escaping @Sendable () -> Void) {
        self.body = body
        self.close = close
    }

    deinit { close() }

    func next() async throws -> WatchChange<T>? {
        while true {
            if nextDocument < documents.count {
                let document = documents[nextDocument]
                nextDocument += 1
                return try WatchChange<T>.decode(document, decoder: decoder)
            }
            // Everything that arrived since the last read, framed at once.
            guard let chunks = try await body.drain() else { return nil }
            documents = []
            for chunk in chunks { documents += try framer.append(chunk.readableBytesView) }
            nextDocument = 0
        }
    }
}
