import KubeAPI
import Store

/// Turns store events into API watch events for one watcher's selectors, as the apiserver's cacher
/// does: an object entering the selection is ADDED, one leaving it is DELETED (carrying its new
/// state), one staying is MODIFIED; store deletes are DELETED with the last state and the deleting
/// revision as its resourceVersion. Pure.
struct WatchEventFilter: Sendable {
    let strategy: ResourceStrategy
    let labelSelector: Selector
    let fieldSelector: FieldSelector

    func matches(_ object: JSONValue) -> Bool {
        (labelSelector.isEverything || labelSelector.matches(object.labels))
            && (fieldSelector.isEverything || fieldSelector.matches(strategy.fieldSet(object)))
    }

    func translate(_ event: MVCCEvent) -> (WatchEventType, JSONValue)? {
        translate(ParsedWatchEvent(event))
    }

    /// The same for an event parsed once and translated for many watchers (the watch cache's fan-out).
    func translate(_ parsed: ParsedWatchEvent) -> (WatchEventType, JSONValue)? {
        guard let object = parsed.object else { return nil }
        switch parsed.event.kind {
        case .put:
            let now = matches(object)
            var before = false
            if let old = parsed.previous { before = matches(old) }
            else if parsed.event.kv.version > 1 { before = now }
            switch (before, now) {
            case (false, true): return (.added, object)
            case (true, true): return (parsed.event.kv.version == 1 ? .added : .modified, object)
            case (true, false): return (.deleted, object)
            case (false, false): return nil
            }
        case .delete:
            guard matches(object) else { return nil }
            return (.deleted, object)
        }
    }

    /// One line of the watch stream: `{"type":"ADDED","object":{...}}` and a newline.
    static func line(_ type: WatchEventType, _ object: JSONValue) -> [UInt8] {
        var bytes = (try? JSONValue.object(["type": .string(type.rawValue), "object": object]).serialized()) ?? []
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}

/// A store event's JSON, parsed once: a put's new state and previous state, or a delete's last state;
/// the object carries the event's revision as its resourceVersion. Nil where the bytes are not JSON.
struct ParsedWatchEvent: Sendable {
    let event: MVCCEvent
    let object: JSONValue?
    let previous: JSONValue?

    init(_ event: MVCCEvent) {
        self.event = event
        var object: JSONValue?
        switch event.kind {
        case .put:
            object = try? JSONValue.parse(event.kv.value)
            previous = event.prevKV.flatMap { try? JSONValue.parse($0.value) }
        case .delete:
            object = event.prevKV.flatMap { try? JSONValue.parse($0.value) }
            previous = nil
        }
        object?.setMeta("resourceVersion", .string(String(event.kv.modRevision)))
        self.object = object
    }
}
