/// The strategic merge patch that turns `original` into `modified` (apimachinery's
/// `CreateTwoWayMergePatch`, with `$setElementOrder` lists as kubectl and client-go send them):
/// - keys added or changed are set, keys gone are set to null;
/// - merge lists of objects carry only the changed elements (by merge key, each reduced to its own
///   diff), `{"<key>": v, "$patch": "delete"}` for removed ones, and `$setElementOrder/<field>`;
/// - merge lists of scalars carry the additions, `$deleteFromPrimitiveList/<field>` the removals;
/// - fields with strategy `retainKeys` get a `$retainKeys` list of the modified object's keys;
/// - other lists, and maps with strategy `replace`, are sent whole.
/// Controllers use it to patch only what they own; tests use it to state what kubectl sends.
extension StrategicMergePatch {
    public static func createTwoWayMergePatch(original: JSONValue, modified: JSONValue,
                                              schema: any PatchSchema) throws(PatchError) -> JSONValue {
        guard case .object(let o) = original, case .object(let m) = modified else {
            throw PatchError(.badRequest, "invalid JSON document")
        }
        return .object(try SMPDiff.diffMaps(o, m, schema, retainKeys: false))
    }
}

enum SMPDiff {
    static func diffMaps(_ original: [String: JSONValue], _ modified: [String: JSONValue],
                         _ schema: any PatchSchema, retainKeys: Bool) throws(PatchError) -> [String: JSONValue] {
        var patch: [String: JSONValue] = [:]
        var retained: [String] = []
        for (key, new) in modified {
            if retainKeys && new != .null { retained.append(key) }
            guard let old = original[key] else {
                patch[key] = new
                continue
            }
            if key == SMPDirective.patch {
                guard case .string = old, case .string = new else {
                    throw PatchError(.unknown, "invalid value for special key: \(SMPDirective.patch)")
                }
                if old != new { patch[key] = new }
                continue
            }
            guard SMPContent.sameType(old, new) else {
                patch[key] = new
                continue
            }
            switch (old, new) {
            case (.object(let o), .object(let m)):
                let field = schema.field(key)
                if field.strategy.contains(.replace) {
                    patch[key] = new
                } else {
                    let sub = try diffMaps(o, m, field.schema, retainKeys: field.strategy.contains(.retainKeys))
                    if !sub.isEmpty { patch[key] = .object(sub) }
                }
            case (.array(let o), .array(let m)):
                let field = schema.field(key)
                guard field.strategy.contains(.merge) else {
                    if o != m { patch[key] = new }
                    continue
                }
                let diff = try diffLists(o, m, field)
                if !diff.changes.isEmpty { patch[key] = .array(diff.changes) }
                if !diff.deletions.isEmpty {
                    patch[SMPDirective.deleteFromPrimitiveList + "/" + key] = .array(diff.deletions)
                }
                if !diff.order.isEmpty { patch[SMPDirective.setElementOrder + "/" + key] = .array(diff.order) }
            default:
                if old != new { patch[key] = new }
            }
        }
        for key in original.keys where modified[key] == nil { patch[key] = .null }
        let extraLive = original.contains { $0.value != .null && modified[$0.key] == nil }
        if !retained.isEmpty && (!patch.isEmpty || extraLive) {
            patch[SMPDirective.retainKeys] = .array(retained.sorted().map(JSONValue.string))
        }
        return patch
    }

    struct ListDiff {
        var changes: [JSONValue] = []
        var deletions: [JSONValue] = []
        var order: [JSONValue] = []
    }

    static func diffLists(_ original: [JSONValue], _ modified: [JSONValue], _ field: PatchField) throws(PatchError) -> ListDiff {
        if original.isEmpty {
            return ListDiff(changes: modified)
        }
        let kind = try SMPList.elementKind(original, modified)
        if kind == .object {
            return try diffObjectLists(original, modified, field)
        }
        // Scalars, as a multiset: surplus copies in modified are added, a value with fewer copies
        // in modified is deleted (deletion removes every copy, as Go's does).
        var count: [JSONValue: Int] = [:]
        for v in original { count[v, default: 0] += 1 }
        var added: [JSONValue] = []
        var remaining = count
        for v in modified {
            if let c = remaining[v], c > 0 { remaining[v] = c - 1 } else { added.append(v) }
        }
        var modifiedCount: [JSONValue: Int] = [:]
        for v in modified { modifiedCount[v, default: 0] += 1 }
        let deletions = count.filter { $0.value > (modifiedCount[$0.key] ?? 0) }.map(\.key)
            .sorted { GoFormat.value($0) < GoFormat.value($1) }
        var diff = ListDiff(changes: added, deletions: deletions)
        if !deletions.isEmpty || original != modified { diff.order = modified }
        return diff
    }

    private static func diffObjectLists(_ original: [JSONValue], _ modified: [JSONValue],
                                        _ field: PatchField) throws(PatchError) -> ListDiff {
        let mergeKey = field.mergeKey ?? ""
        func keyed(_ v: JSONValue) throws(PatchError) -> ([String: JSONValue], JSONValue) {
            guard case .object(let o) = v else { throw PatchError.badArgType(expected: "map[string]interface {}", v) }
            guard let k = o[mergeKey] else { throw PatchError.noMergeKey(o, mergeKey) }
            return (o, k)
        }
        var live: [JSONValue: [String: JSONValue]] = [:]
        var liveKeys: [JSONValue] = []
        for v in original {
            let (o, k) = try keyed(v)
            if live[k] == nil { live[k] = o; liveKeys.append(k) }
        }
        var diff = ListDiff()
        var kept = Set<JSONValue>()
        var modifiedKeys: [JSONValue] = []
        for v in modified {
            let (m, k) = try keyed(v)
            modifiedKeys.append(k)
            guard kept.insert(k).inserted else { continue }
            if let o = live[k] {
                var sub = try diffMaps(o, m, field.schema, retainKeys: field.strategy.contains(.retainKeys))
                if !sub.isEmpty {
                    sub[mergeKey] = k
                    diff.changes.append(.object(sub))
                }
            } else {
                diff.changes.append(v)
            }
        }
        let deleted = liveKeys.filter { !kept.contains($0) }.sorted { GoFormat.value($0) < GoFormat.value($1) }
        diff.changes += deleted.map { .object([mergeKey: $0, SMPDirective.patch: .string("delete")]) }
        let sameOrder = original.count == modified.count
            && zip(original, modified).allSatisfy { $0[mergeKey] == $1[mergeKey] }
        if !diff.changes.isEmpty || !sameOrder {
            diff.order = modifiedKeys.map { .object([mergeKey: $0]) }
        }
        return diff
    }
}
