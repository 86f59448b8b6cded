import FoundationEssentials
import KubeAPI

/// One event of a typed watch. ERROR events are not values: they end the stream with the
/// `KubeClientError` their Status stands for (410 Gone → `isGone`).
public enum WatchChange<Object: KubeObject>: Hashable, Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// The server's progress marker: everything up to this resourceVersion has been sent.
    case bookmark(resourceVersion: String)

    public var object: Object? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): o
        case .bookmark: nil
        }
    }

    /// The resourceVersion the event brings the watcher to.
    public var resourceVersion: String? {
        switch self {
        case .bookmark(let rv): rv
        default: object?.metadata.resourceVersion
        }
    }

    private struct Peek: Decodable {
        struct Object: Decodable {
            struct Meta: Decodable { var resourceVersion: String? }
            var metadata: Meta?
        }
        var type: String
        var object: Object?
    }

    /// Decodes one JSON document of a watch stream.
    public static func decode(_ document: [UInt8], decoder: JSONDecoder = JSONDecoder()) throws(KubeClientError) -> WatchChange {
        let data = Data(document)
        let peek: Peek
        do {
            peek = try decoder.decode(Peek.self, from: data)
        } catch {
            throw .decode(what: "watch event", underlying: "\(error)")
        }
        switch peek.type {
        case "ERROR":
            let status: Status
            do {
                status = try decoder.decode(WatchEvent<Status>.self, from: data).object
            } catch {
                throw .decode(what: "watch ERROR event", underlying: "\(error)")
            }
            throw KubeClientError.from(status)
        case "BOOKMARK":
            return .bookmark(resourceVersion: peek.object?.metadata?.resourceVersion ?? "")
        case "ADDED", "MODIFIED", "DELETED":
            let object: Object
            do {
                object = try decoder.decode(WatchEvent<Object>.self, from: data).object
            } catch {
                throw .decode(what: "\(Object.kind) in a \(peek.type) watch event", underlying: "\(error)")
            }
            switch peek.type {
            case "ADDED": return .added(object)
            case "MODIFIED": return .modified(object)
            default: return .deleted(object)
            }
        default:
            throw .decode(what: "watch event", underlying: "unknown event type \"\(peek.type)\"")
        }
    }
}
