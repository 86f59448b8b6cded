/// `core/v1.EventSource`.
public struct EventSource: Codable, Hashable, Sendable {
    public var component: String?
    public var host: String?
    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}

/// `core/v1.EventSeries`.
public struct EventSeries: Codable, Hashable, Sendable {
    public var count: Int32?
    public var lastObservedTime: MicroTime?
    public init(count: Int32? = nil, lastObservedTime: MicroTime? = nil) {
        self.count = count
        self.lastObservedTime = lastObservedTime
    }
}

/// `core/v1.Event` (what `kubectl get events` and `describe` read).
public struct Event: KubeObject {
    public static let apiVersion = "v1"
    public static let kind = "Event"
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String?
    public var message: String?
    public var source: EventSource?
    public var firstTimestamp: Time?
    public var lastTimestamp: Time?
    public var count: Int32?
    /// Normal or Warning.
    public var type: String?
    public var eventTime: MicroTime?
    public var series: EventSeries?
    public var action: String?
    public var related: ObjectReference?
    public var reportingComponent: String?
    public var reportingInstance: String?

    public init(metadata: ObjectMeta = ObjectMeta(), involvedObject: ObjectReference, type: String? = nil,
                reason: String? = nil, message: String? = nil) {
        apiVersion = Self.apiVersion
        kind = Self.kind
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.type = type
        self.reason = reason
        self.message = message
    }
}
