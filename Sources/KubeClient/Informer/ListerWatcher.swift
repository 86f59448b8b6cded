import KubeAPI

/// Where a reflector gets its objects: a list, then a watch from the list's resourceVersion.
/// The API client is one source; tests script others.
public protocol ListerWatcher<Object>: Sendable {
    associatedtype Object: KubeObject
    func list(options: ListOptions) async throws -> List<Object>
    func watch(options: WatchOptions) async throws -> WatchEvents<Object>
}

/// Lists and watches one kind through the API, in a namespace (nil: all) with optional selectors.
public struct APIListerWatcher<Object: KubeObject>: ListerWatcher {
    public var client: KubeAPIClient
    public var namespace: String?
    public var labelSelector: String?
    public var fieldSelector: String?

    public init(client: KubeAPIClient, _ type: Object.Type = Object.self, namespace: String? = nil,
                labelSelector: String? = nil, fieldSelector: String? = nil) {
        self.client = client
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }

    public func list(options: ListOptions) async throws -> List<Object> {
        var o = options
        o.labelSelector = labelSelector
        o.fieldSelector = fieldSelector
        return try await client.listAll(Object.self, namespace: namespace, options: o)
    }

    public func watch(options: WatchOptions) async throws -> WatchEvents<Object> {
        var o = options
        o.labelSelector = labelSelector
        o.fieldSelector = fieldSelector
        return try await client.watch(Object.self, namespace: namespace, options: o)
    }
}
