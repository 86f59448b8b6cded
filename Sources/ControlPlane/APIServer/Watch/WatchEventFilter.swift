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
        switch event.kind {
        case .put:
            guard var object = try? JSONValue.parse(event.kv.value) else { return nil }
            object.setMeta("resourceVersion", .string(String(event.kv.modRevision)))
            let now = matches(object)
            var before = false
            if let prev = event.prevKV, let old = try? JSONValue.parse(prev.value) { before = matches(old) }
            else if event.kv.version > 1 { before = now }
            switch (before, now) {
            case (false, true): return (.added, object)
            case (true, true): return (event.kv.version == 1 ? .added : .modified, object)
            case (true, false): return (.deleted, object)
            case (false, false): return nil
            }
        case .delete:
            guard let prev = event.prevKV, var object = try? JSONValue.parse(prev.value) else { return nil }
            guard matches(object) else { return nil }
            object.setMeta("resourceVersion", .string(String(event.kv.modRevision)))
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
