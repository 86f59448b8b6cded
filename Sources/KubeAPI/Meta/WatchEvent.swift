/// `metav1.WatchEvent` type.
public enum WatchEventType: String, Codable, Hashable, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    case bookmark = "BOOKMARK"
    case error = "ERROR"
}

/// One line of a watch stream: `{"type":"ADDED","object":{…}}`. For `ERROR` the object is a `Status`;
/// decode such events as `WatchEvent<Status>` (or peek at `type` first).
public struct WatchEvent<Object: Codable & Hashable & Sendable>: Codable, Hashable, Sendable {
    public var type: WatchEventType
    public var object: Object
    public init(type: WatchEventType, object: Object) {
        self.type = type
        self.object = object
    }
}
