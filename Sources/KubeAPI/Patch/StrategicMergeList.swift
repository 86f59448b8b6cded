/// Merging one list under strategy `merge` (Go's mergeSlice), and the ordering rules shared with
/// `$setElementOrder` (normalizeElementOrder / mergeSortedSlice). Lookups go through hash indexes of
/// merge-key values, so a patch over a list of n elements costs O(n log n), not O(n²).
enum SMPList {
    enum ElementKind: Equatable {
        case object, string, integer, double, bool, null
    }

    static func merge(_ original: [JSONValue], _ patch: [JSONValue], schema: any PatchSchema, mergeKey: String,
                      isDeleteList: Bool) throws(PatchError) -> [JSONValue] {
        if original.isEmpty && patch.isEmpty { return original }
        let kind = try elementKind(original, patch)

        guard kind == .object else {
            if isDeleteList {
                let doomed = Set(patch)
                return original.filter { !doomed.contains($0) }
            }
            // Union, then ordered: the patch's elements in patch order, live-only ones by live order.
            var seen = Set<JSONValue>()
            var merged: [JSONValue] = []
            for v in original + patch where seen.insert(v).inserted { merged.append(v) }
            return try ordered(merged, order: patch, live: original, mergeKey: "", objects: false)
        }
        guard !mergeKey.isEmpty else {
            throw PatchError(.unknown, "cannot merge lists without merge key for \(schema.kindName)")
        }

        // Elements carrying `$patch` act on the list; the rest merge.
        var doomed = Set<JSONValue>()
        var replace = false
        var elements: [[String: JSONValue]] = []
        for case .object(let element) in patch {
            guard let directive = element[SMPDirective.patch] else {
                elements.append(element)
                continue
            }
            switch directive {
            case .string("delete"):
                guard let key = element[mergeKey] else { throw PatchError.noMergeKey(element, mergeKey) }
                doomed.insert(key)
            case .string("replace"):
                replace = true
            case .string("merge"):
                throw PatchError(.unknown, "merging lists cannot yet be specified in the patch")
            default:
                throw PatchError.badPatchType(directive, element)
            }
        }
        if replace {
            let replaced = elements.map { JSONValue.object(SMPContent.sanitizedMembers($0)) }
            return try ordered(replaced, order: [], live: replaced, mergeKey: mergeKey, objects: true)
        }

        let live = doomed.isEmpty ? original : original.filter { element in
            guard case .object(let o) = element, let key = o[mergeKey] else { return true }
            return !doomed.contains(key)
        }
        var merged = live
        var position: [JSONValue: Int] = [:]
        position.reserveCapacity(merged.count)
        for (i, element) in merged.enumerated() {
            if case .object(let o) = element, let key = o[mergeKey], position[key] == nil { position[key] = i }
        }
        for element in elements {
            guard let key = element[mergeKey] else { throw PatchError.noMergeKey(element, mergeKey) }
            if let i = position[key], case .object(let current) = merged[i] {
                merged[i] = .null
                merged[i] = .object(try SMPMerge.mergeMap(current, element, schema))
            } else {
                position[key] = merged.count
                merged.append(SMPContent.added(.object(element)) ?? .object([:]))
            }
        }
        return try ordered(merged, order: elements.map(JSONValue.object), live: live, mergeKey: mergeKey,
                           objects: true)
    }

    /// Go's sliceElementType: every element of both lists has one type, and it is not a list.
    static func elementKind(_ original: [JSONValue], _ patch: [JSONValue]) throws(PatchError) -> ElementKind {
        var kind: ElementKind?
        for list in [original, patch] {
            for v in list {
                let k: ElementKind
                switch v {
                case .object: k = .object
                case .string: k = .string
                case .integer: k = .integer
                case .double: k = .double
                case .bool: k = .bool
                case .null: k = .null
                case .array:
                    if kind == nil { throw PatchError.noListOfLists }
                    throw mismatch(original, patch)
                }
                if let kind, kind != k { throw mismatch(original, patch) }
                kind = k
            }
        }
        guard let kind else { throw PatchError(.unknown, "no elements in any of the given slices") }
        return kind
    }

    private static func mismatch(_ original: [JSONValue], _ patch: [JSONValue]) -> PatchError {
        PatchError(.unknown, "list element types are not identical: [\(GoFormat.value(.array(original))) \(GoFormat.value(.array(patch)))]")
    }

    /// Go's validatePatchWithSetOrderList: the patch's elements (deletions aside) must appear in the
    /// `$setElementOrder` list, in the same relative order.
    static func validateOrder(_ patch: [JSONValue], _ order: [JSONValue], mergeKey: String) throws(PatchError) {
        if order.isEmpty || patch.isEmpty { return }
        var kept: [JSONValue] = []
        if mergeKey.isEmpty {
            kept = patch
        } else {
            for element in patch {
                guard case .object(let o) = element else {
                    throw PatchError.badArgType(expected: "map[string]interface {}", element)
                }
                if o[SMPDirective.patch] != .string("delete") { kept.append(element) }
            }
        }
        var p = 0, s = 0
        while p < kept.count && s < order.count {
            if case .object(let o) = kept[p], o[SMPDirective.patch] != nil {
                p += 1
                continue
            }
            if try sameElement(kept[p], order[s], mergeKey: mergeKey) { p += 1 }
            s += 1
        }
        if p < kept.count && s >= order.count {
            throw PatchError(.unknown, "The order in patch list:\n\(GoFormat.value(.array(patch)))\n doesn't match \(SMPDirective.setElementOrder) list:\n\(GoFormat.value(.array(order)))\n")
        }
    }

    private static func sameElement(_ a: JSONValue, _ b: JSONValue, mergeKey: String) throws(PatchError) -> Bool {
        if mergeKey.isEmpty { return a == b }
        guard case .object(let l) = a else { throw PatchError.badArgType(expected: "map[string]interface {}", a) }
        guard case .object(let r) = b else { throw PatchError.badArgType(expected: "map[string]interface {}", b) }
        guard let lk = l[mergeKey] else { throw PatchError.noMergeKey(l, mergeKey) }
        guard let rk = r[mergeKey] else { throw PatchError.noMergeKey(r, mergeKey) }
        return lk == rk
    }

    /// Go's partition + normalizeElementOrder: elements named in `order` come in that order; the others
    /// keep their `live` order; the two runs are interleaved, a live-only element going first only when
    /// it stands before the next ordered element in the live list.
    static func ordered(_ merged: [JSONValue], order: [JSONValue], live: [JSONValue], mergeKey: String,
                        objects: Bool) throws(PatchError) -> [JSONValue] {
        // The identity an element is ordered by: its merge-key value, or itself for scalars.
        func identity(_ v: JSONValue) throws(PatchError) -> JSONValue {
            guard objects else { return v }
            guard case .object(let o) = v else { throw PatchError.badArgType(expected: "map[string]interface {}", v) }
            guard let key = o[mergeKey] else { throw PatchError.noMergeKey(o, mergeKey) }
            return key
        }
        func firstIndexes(_ list: [JSONValue], strict: Bool) throws(PatchError) -> [JSONValue: Int] {
            var index: [JSONValue: Int] = [:]
            index.reserveCapacity(list.count)
            for (i, v) in list.enumerated() {
                let id: JSONValue
                if objects {
                    guard case .object(let o) = v else {
                        if strict { throw PatchError(.unknown, "value for key \(i) is not a map") }
                        continue
                    }
                    guard let key = o[mergeKey] else {
                        if strict { throw PatchError.noMergeKey(o, mergeKey) }
                        continue
                    }
                    id = key
                } else {
                    id = v
                }
                if index[id] == nil { index[id] = i }
            }
            return index
        }

        let orderIndex = try firstIndexes(order, strict: true)
        var ordered: [(JSONValue, Int)] = []
        var liveOnly: [JSONValue] = []
        var deleted: [JSONValue] = []
        for v in merged {
            let id = try identity(v)
            if let i = orderIndex[id] {
                if objects, case .object(let o) = v, o[SMPDirective.patch] == .string("delete") {
                    deleted.append(v)
                } else {
                    ordered.append((v, i))
                }
            } else {
                liveOnly.append(v)
            }
        }
        let liveIndex = try firstIndexes(live, strict: true)
        let right = stableSorted(ordered.map { ($0.0, Optional($0.1)) }) + deleted
        let left = stableSorted(try liveOnly.map { v throws(PatchError) in (v, liveIndex[try identity(v)]) })

        var out: [JSONValue] = []
        out.reserveCapacity(left.count + right.count)
        var i = 0, j = 0
        while i < left.count || j < right.count {
            if i >= left.count { out.append(right[j]); j += 1; continue }
            if j >= right.count { out.append(left[i]); i += 1; continue }
            if let li = liveIndex[try identity(left[i])], let ri = liveIndex[try identity(right[j])], li < ri {
                out.append(left[i]); i += 1
            } else {
                out.append(right[j]); j += 1
            }
        }
        return out
    }

    /// Stable sort by index; elements without one keep their relative order after those with one.
    private static func stableSorted(_ items: [(JSONValue, Int?)]) -> [JSONValue] {
        items.enumerated()
            .sorted { a, b in
                let ai = a.element.1 ?? Int.max, bi = b.element.1 ?? Int.max
                return ai != bi ? ai < bi : a.offset < b.offset
            }
            .map { $0.element.0 }
    }
}
