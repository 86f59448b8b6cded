/// Kubernetes' strategic merge patch (`application/strategic-merge-patch+json`), applied as
/// kube-apiserver applies it to a typed object (apimachinery `strategicpatch.StrategicMergeMapPatch`):
///
/// - objects merge key by key; `null` deletes a key;
/// - lists whose field has strategy `merge` merge element by element: objects matched by the merge
///   key (matches are merged recursively, new ones added), scalars as a set; other lists are replaced;
/// - directives: `$patch: replace|delete` on an object, `$patch: delete|replace` elements in a list,
///   `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`, `$retainKeys`;
/// - the order of a merged list: patch elements in patch order (or `$setElementOrder` order),
///   interleaved with the live-only elements by their live order; an element new to the list goes
///   before the live-only elements that follow it.
///
/// Where Go keeps patch content verbatim (replaced lists and maps, added list elements) it may carry
/// nulls and directive keys that the apiserver's decode into a typed object then drops; we drop them
/// here, so the result is what the apiserver would store.
public enum StrategicMergePatch {
    /// Applies `patch` to `document`. A nil schema (a kind without patch metadata) applies the patch
    /// with JSON merge patch semantics.
    public static func apply(patch: JSONValue, to document: JSONValue,
                             schema: (any PatchSchema)?) throws(PatchError) -> JSONValue {
        guard let schema else { return try JSONMergePatch.apply(patch, to: document) }
        guard case .object(let original) = document else {
            throw PatchError(.unknown, "invalid JSON document")
        }
        switch patch {
        case .null:
            // Go decodes `null` into a nil map: nothing to merge.
            return document
        case .object(let p):
            return .object(try SMPMerge.mergeMap(original, p, schema))
        default:
            throw PatchError(.badRequest,
                             "json: cannot unmarshal \(JSONPatch.jsonTypeName(patch)) into Go value of type map[string]interface {}")
        }
    }
}

/// The directive keys of a strategic merge patch.
enum SMPDirective {
    static let patch = "$patch"
    static let retainKeys = "$retainKeys"
    static let deleteFromPrimitiveList = "$deleteFromPrimitiveList"
    static let setElementOrder = "$setElementOrder"

    static func isDirectiveKey(_ key: String) -> Bool {
        guard key.hasPrefix("$") else { return false }
        return key == patch || key == retainKeys || key.hasPrefix(deleteFromPrimitiveList + "/")
            || key.hasPrefix(setElementOrder + "/")
    }

    /// `$setElementOrder/containers` → `containers`; a key with the prefix but no "/" is malformed.
    static func field(of key: String, prefix: String) throws(PatchError) -> String {
        guard let slash = key.firstIndex(of: "/"), key[..<slash] == prefix else {
            throw prefix == deleteFromPrimitiveList ? PatchError.badPatchFormatForPrimitiveList
                                                    : PatchError.badPatchFormatForSetElementOrderList
        }
        return String(key[key.index(after: slash)...])
    }
}

/// The merge itself (Go's mergeMap and friends), over values: each level takes ownership of the
/// child it rewrites, so a patch costs time in the size of the patch and the lists it touches.
enum SMPMerge {
    static func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue],
                         _ schema: any PatchSchema) throws(PatchError) -> [String: JSONValue] {
        var patch = patch
        if let directive = patch[SMPDirective.patch] {
            switch directive {
            case .string("replace"):
                patch.removeValue(forKey: SMPDirective.patch)
                return SMPContent.sanitizedMembers(patch)
            case .string("delete"):
                return [:]
            default:
                throw PatchError.badPatchType(directive, patch)
            }
        }
        var original = original
        try applyRetainKeys(&original, &patch)
        try applySetElementOrder(&original, &patch, schema)

        // Plain keys first, then deletions from primitive lists: Go's order is its map's (random); the
        // two only meet on the same list, where either order gives the same list.
        let deletions = patch.keys.filter { $0.hasPrefix(SMPDirective.deleteFromPrimitiveList) }
        for key in patch.keys where !key.hasPrefix(SMPDirective.deleteFromPrimitiveList) {
            try mergeKey(key, patch[key] ?? .null, isDeleteList: false, into: &original, schema)
        }
        for key in deletions {
            let field = try SMPDirective.field(of: key, prefix: SMPDirective.deleteFromPrimitiveList)
            try mergeKey(field, patch[key] ?? .null, isDeleteList: true, into: &original, schema)
        }
        return original
    }

    private static func mergeKey(_ key: String, _ patchValue: JSONValue, isDeleteList: Bool,
                                 into original: inout [String: JSONValue], _ schema: any PatchSchema) throws(PatchError) {
        if patchValue == .null {
            original.removeValue(forKey: key)
            return
        }
        guard let current = original.removeValue(forKey: key) else {
            if !isDeleteList, let added = SMPContent.added(patchValue) { original[key] = added }
            return
        }
        guard SMPContent.sameType(current, patchValue) else {
            if isDeleteList {
                original[key] = current
            } else if let replaced = SMPContent.added(patchValue) {
                original[key] = replaced
            }
            return
        }
        switch (current, patchValue) {
        case (.object(let cur), .object(let p)):
            let field = schema.field(key)
            if field.strategy.contains(.replace) {
                original[key] = .object(SMPContent.sanitizedMembers(p))
            } else {
                original[key] = .object(try mergeMap(cur, p, field.schema))
            }
        case (.array(let cur), .array(let p)):
            original[key] = .array(try mergeList(cur, p, schema.field(key), isDeleteList: isDeleteList))
        default:
            original[key] = patchValue
        }
    }

    /// Go's mergeSliceHandler: merge lists merge (and so do deletion lists, whatever the strategy);
    /// any other list is replaced by the patch's.
    static func mergeList(_ original: [JSONValue], _ patch: [JSONValue], _ field: PatchField,
                          isDeleteList: Bool) throws(PatchError) -> [JSONValue] {
        guard field.strategy.contains(.merge) || isDeleteList else {
            return patch.map(SMPContent.sanitized)
        }
        return try SMPList.merge(original, patch, schema: field.schema, mergeKey: field.mergeKey ?? "",
                                 isDeleteList: isDeleteList)
    }

    /// `$retainKeys`: keys of the live object not listed are cleared; the patch may only set listed keys.
    private static func applyRetainKeys(_ original: inout [String: JSONValue],
                                        _ patch: inout [String: JSONValue]) throws(PatchError) {
        guard let directive = patch.removeValue(forKey: SMPDirective.retainKeys) else { return }
        guard case .array(let listed) = directive else { throw PatchError.badPatchFormatForRetainKeys }
        let keep = Set(listed)
        for (key, value) in patch where value != .null
            && !key.hasPrefix(SMPDirective.deleteFromPrimitiveList) && !key.hasPrefix(SMPDirective.setElementOrder) {
            if !keep.contains(.string(key)) { throw PatchError.badPatchFormatForRetainKeys }
        }
        original = original.filter { keep.contains(.string($0.key)) }
    }

    /// `$setElementOrder/<field>` (Go's mergePatchIntoOriginal): merges the field's list now and orders
    /// it by the directive, then takes the list out of the patch.
    private static func applySetElementOrder(_ original: inout [String: JSONValue], _ patch: inout [String: JSONValue],
                                             _ schema: any PatchSchema) throws(PatchError) {
        let orderKeys = patch.keys.filter { $0.hasPrefix(SMPDirective.setElementOrder) }.sorted()
        for orderKey in orderKeys {
            let directive = patch.removeValue(forKey: orderKey)
            guard case .array(let order)? = directive else {
                throw PatchError.badArgType(expected: "[]interface {}", directive)
            }
            let key = try SMPDirective.field(of: orderKey, prefix: SMPDirective.setElementOrder)
            let liveValue = original[key]
            let patchValue = patch[key]
            var live: [JSONValue]?
            var patched: [JSONValue]?
            if let liveValue {
                guard case .array(let a) = liveValue else { throw PatchError.badArgType(expected: "[]interface {}", liveValue) }
                live = a
            }
            if let patchValue {
                guard case .array(let a) = patchValue else { throw PatchError.badArgType(expected: "[]interface {}", patchValue) }
                patched = a
            }
            let field = schema.field(key)
            let mergeKey = field.mergeKey ?? ""
            try SMPList.validateOrder(patched ?? [], order, mergeKey: mergeKey)

            let merged: [JSONValue]
            switch (live, patched) {
            case (let l?, nil):
                merged = l
            case (nil, let p?):
                guard case .array(let cleaned)? = SMPContent.added(.array(p)) else { continue }
                merged = cleaned
            case (let l?, let p?):
                original.removeValue(forKey: key)
                merged = try mergeList(l, p, field, isDeleteList: false)
            case (nil, nil):
                continue
            }
            let kind: SMPList.ElementKind
            do throws(PatchError) {
                kind = try SMPList.elementKind(live ?? [], patched ?? [])
            } catch {
                // Go fails here when both lists are empty ("no elements in any of the given slices");
                // an empty list stored where Go would have omitted it must not turn a no-op into a 500.
                guard merged.isEmpty else { throw error }
                original[key] = .array(merged)
                patch.removeValue(forKey: key)
                continue
            }
            original[key] = .array(try SMPList.ordered(merged, order: order, live: live ?? [],
                                                        mergeKey: mergeKey, objects: kind == .object))
            patch.removeValue(forKey: key)
        }
    }
}

/// How patch content enters the result where Go copies it without merging.
enum SMPContent {
    /// Go's discardNullValuesFromPatch + removeDirectives, for a value new to the object: null members
    /// go, and so does any object carrying `$patch` (nil when the value itself is one). Other directive
    /// keys go too (the typed decode would drop them).
    static func added(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .object(let o):
            if o[SMPDirective.patch] != nil { return nil }
            var out: [String: JSONValue] = [:]
            out.reserveCapacity(o.count)
            for (k, v) in o where v != .null && !SMPDirective.isDirectiveKey(k) {
                if let kept = added(v) { out[k] = kept }
            }
            return .object(out)
        case .array(let a):
            return .array(a.compactMap(added))
        default:
            return value
        }
    }

    /// A value Go keeps verbatim (a replaced list or map): its nulls and directive keys are what the
    /// typed decode drops.
    static func sanitized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o): .object(sanitizedMembers(o))
        case .array(let a): .array(a.map(sanitized))
        default: value
        }
    }

    static func sanitizedMembers(_ object: [String: JSONValue]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        out.reserveCapacity(object.count)
        for (k, v) in object where v != .null && !SMPDirective.isDirectiveKey(k) { out[k] = sanitized(v) }
        return out
    }

    /// Go compares reflect types: map, slice, string, int64, float64, bool, nil.
    static func sameType(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object, .object), (.array, .array), (.string, .string), (.integer, .integer),
             (.double, .double), (.bool, .bool), (.null, .null): true
        default: false
        }
    }
}
