/// An RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge recursively, `null`
/// deletes a member, anything else replaces. Applied as kube-apiserver applies it (evanphx/json-patch
/// v4 `MergePatch`), including its handling of nulls inside values that replace: they are pruned from
/// objects at any depth (also inside arrays) but kept as array elements.
public enum JSONMergePatch {
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        switch (document, patch) {
        case (.null, _):
            // v4 decodes the document into a map; JSON null gives a nil map, which it rejects.
            throw PatchError(.unknown, "Invalid JSON Document")
        case (_, .null):
            throw PatchError(.badRequest, "Invalid JSON Patch")
        case (.object(let doc), .object(let p)):
            return .object(mergeObjects(doc, p))
        case (_, .object(let p)):
            // Not an object document: the patch (nulls pruned) becomes the document.
            return .object(pruneNullMembers(p))
        case (_, .array(let items)):
            return .array(items.map(pruneNulls))
        default:
            throw PatchError(.badRequest, "Invalid JSON Patch")
        }
    }

    static func mergeObjects(_ document: [String: JSONValue], _ patch: [String: JSONValue]) -> [String: JSONValue] {
        var doc = document
        for (key, value) in patch {
            if value == .null {
                doc.removeValue(forKey: key)
                continue
            }
            guard let current = doc.removeValue(forKey: key), current != .null else {
                doc[key] = pruneNulls(value)
                continue
            }
            doc[key] = merge(current, value)
        }
        return doc
    }

    private static func merge(_ current: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let cur) = current else { return pruneNulls(patch) }
        // v4 returns a non-object patch as it is here, without pruning.
        guard case .object(let p) = patch else { return patch }
        return .object(mergeObjects(cur, p))
    }

    static func pruneNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o): .object(pruneNullMembers(o))
        case .array(let a): .array(a.map(pruneNulls))
        default: value
        }
    }

    static func pruneNullMembers(_ object: [String: JSONValue]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        out.reserveCapacity(object.count)
        for (k, v) in object where v != .null { out[k] = pruneNulls(v) }
        return out
    }
}
