import FoundationEssentials

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

/// One decoded line of a watch stream: an object event, or the `Status` an `ERROR` event carries
/// (decoding an ERROR line as `WatchEvent<Pod>` would "succeed" with an empty Pod).
public enum WatchStreamEvent<Object: Codable & Hashable & Sendable>: Hashable, Sendable {
    case event(WatchEvent<Object>)
    case error(Status)

    private struct Peek: Decodable { var type: WatchEventType }

    public static func decode(_ data: some Collection<UInt8>, using decoder: JSONDecoder = JSONDecoder()) throws -> Self {
        let bytes = Data(data)
        if try decoder.decode(Peek.self, from: bytes).type == .error {
            return .error(try decoder.decode(WatchEvent<Status>.self, from: bytes).object)
        }
        return .event(try decoder.decode(WatchEvent<Object>.self, from: bytes))
    }
}
