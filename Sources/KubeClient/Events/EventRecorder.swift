import FoundationEssentials
import KubeAPI
import Logging
import Synchronization

/// Records core/v1 Events about objects, as client-go's recorder: "Warning FailedScheduling …" on a
/// Pod. Repeats of the same event bump the count and lastTimestamp of one Event (a merge patch)
/// instead of creating new objects.
public final class EventRecorder: Sendable {
    public enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    private let client: KubeAPIClient
    private let component: String
    private let host: String?
    private let logger: Logger
    private let aggregation = Mutex(EventAggregation())

    public init(client: KubeAPIClient, component: String, host: String? = nil,
                logger: Logger = Logger(label: "swiftlet.kubeclient.events", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.client = client
        self.component = component
        self.host = host
        self.logger = logger
    }

    /// Records in the background; failures are logged, never thrown (events are best effort).
    public func event<T: KubeObject>(_ object: T, type: EventType, reason: String, message: String) {
        Task { try? await self.record(object, type: type, reason: reason, message: message) }
    }

    /// Records and returns the Event as the server stored it.
    @discardableResult
    public func record<T: KubeObject>(_ object: T, type: EventType, reason: String, message: String)
        async throws(KubeClientError) -> Event {
        let ref = ObjectReference(kind: T.kind, namespace: object.metadata.namespace, name: object.metadata.name,
                                  uid: object.metadata.uid, apiVersion: T.apiVersion)
        var reference = ref
        reference.resourceVersion = object.metadata.resourceVersion
        // Cluster-scoped objects' events live in "default", as client-go puts them.
        let namespace = object.metadata.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let key = EventAggregation.Key(component: component, object: ref, type: type.rawValue, reason: reason,
                                       message: message)
        let now = Time.now()
        let nanos = Int64(Date().timeIntervalSince1970 * 1_000_000_000)
        let action = aggregation.withLock { $0.observe(key, now: now, nanos: nanos) }
        switch action {
        case .create(let name):
            return try await create(name: name, namespace: namespace, reference: reference, type: type, reason: reason,
                                    message: message, count: 1, first: now, now: now)
        case .update(let name, let count, let first):
            let patch = #"{"count":\#(count),"lastTimestamp":"\#(now.rfc3339)","message":\#(jsonString(message))}"#
            do {
                return try await client.patch(Event.self, name: name, namespace: namespace, patchType: .merge,
                                              body: Array(patch.utf8))
            } catch where error.isNotFound {
                // The Event expired on the server (events have a TTL): start a new one.
                aggregation.withLock { $0.forget(key) }
                let fresh = aggregation.withLock { $0.observe(key, now: now, nanos: nanos) }
                guard case .create(let newName) = fresh else { throw error }
                return try await create(name: newName, namespace: namespace, reference: reference, type: type,
                                        reason: reason, message: message, count: 1, first: first, now: now)
            } catch {
                logger.warning("recording event failed", metadata: ["reason": "\(reason)", "error": "\(error)"])
                throw error
            }
        }
    }

    private func create(name: String, namespace: String, reference: ObjectReference, type: EventType, reason: String,
                        message: String, count: Int32, first: Time, now: Time) async throws(KubeClientError) -> Event {
        var event = Event(metadata: ObjectMeta(name: name, namespace: namespace), involvedObject: reference,
                          type: type.rawValue, reason: reason, message: message)
        event.source = EventSource(component: component, host: host)
        event.firstTimestamp = first
        event.lastTimestamp = now
        event.count = count
        event.reportingComponent = component
        event.reportingInstance = host ?? ""
        do {
            return try await client.create(event)
        } catch {
            logger.warning("recording event failed", metadata: ["reason": "\(reason)", "error": "\(error)"])
            throw error
        }
    }
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    (try? String(decoding: JSONEncoder().encode(s), as: UTF8.self)) ?? "\"\""
}
