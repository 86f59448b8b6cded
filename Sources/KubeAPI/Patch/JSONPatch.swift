/// An RFC 6902 JSON patch (`application/json-patch+json`), applied as kube-apiserver applies it: with
/// gopkg.in/evanphx/json-patch.v4, whose behaviour and error texts clients see. Where v4 departs from
/// the RFC we follow v4, because that is what a real cluster does:
/// - `replace` of a missing object member adds it (only array indexes are checked);
/// - `test` of a missing member against `null` (or no value) passes;
/// - `copy` from a missing object member copies `null`;
/// - negative array indexes count from the end; a missing `value` means `null`;
/// - a path's first segment is not checked to be empty (`a/b` addresses `/b`).
public struct JSONPatch: Sendable {
    /// kube-apiserver refuses patches with more operations than this (413).
    public static let maxOperations = 10_000

    public let operations: [Operation]

    public struct Operation: Sendable, Hashable {
        /// The operation object as sent; fields are read lazily, as v4 does, so a malformed field
        /// only fails when its operation runs.
        public var fields: [String: JSONValue]
    }

    /// Decodes a patch document: it must be an array of objects (`null` is an empty patch).
    public init(_ document: JSONValue) throws(PatchError) {
        switch document {
        case .null:
            operations = []
        case .array(let items):
            var ops: [Operation] = []
            ops.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .object(let o): ops.append(Operation(fields: o))
                case .null: ops.append(Operation(fields: [:]))
                default:
                    throw PatchError(.badRequest, "json: cannot unmarshal \(Self.jsonTypeName(item)) into Go value of type jsonpatch.Operation")
                }
            }
            operations = ops
        default:
            throw PatchError(.badRequest, "json: cannot unmarshal \(Self.jsonTypeName(document)) into Go value of type jsonpatch.Patch")
        }
        if operations.count > Self.maxOperations {
            throw PatchError(.requestEntityTooLarge,
                             "The allowed maximum operations in a JSON patch is \(Self.maxOperations), got \(operations.count)")
        }
    }

    /// Decodes and applies in one step.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        try JSONPatch(patch).apply(to: document)
    }

    /// Applies every operation in order; the first failure aborts the whole patch (422).
    public func apply(to document: JSONValue) throws(PatchError) -> JSONValue {
        var doc = document
        for op in operations {
            do throws(OperationFailure) {
                try op.run(on: &doc)
            } catch {
                throw PatchError(.invalid, error.text)
            }
        }
        return doc
    }

    static func jsonTypeName(_ v: JSONValue) -> String {
        switch v {
        case .null: "null"
        case .bool: "bool"
        case .integer, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// One operation's failure, worded as v4 words it.
struct OperationFailure: Error {
    var text: String
    init(_ text: String) { self.text = text }
}

extension JSONPatch.Operation {
    var kind: String {
        if case .string(let s)? = fields["op"] { return s }
        return "unknown"
    }

    /// The "path" (or "from") member: absent or null is `missing`, another type a decode error.
    private func pointer(_ name: String) -> Result<String, OperationFailure> {
        switch fields[name] {
        case nil, .null?:
            return .failure(OperationFailure(name == "path" ? "operation missing path field: missing value"
                                                            : "operation, missing from field: missing value"))
        case .string(let s)?:
            return .success(s)
        case let other?:
            return .failure(OperationFailure("json: cannot unmarshal \(JSONPatch.jsonTypeName(other)) into Go value of type string"))
        }
    }

    private var value: JSONValue { fields["value"] ?? .null }
    private var hasValue: Bool { fields["value"] != nil && fields["value"] != .null }

    func run(on doc: inout JSONValue) throws(OperationFailure) {
        switch kind {
        case "add": try add(&doc)
        case "remove": try remove(&doc)
        case "replace": try replace(&doc)
        case "move": try move(&doc)
        case "copy": try copy(&doc)
        case "test": try test(doc)
        default: throw OperationFailure("Unexpected kind: \(kind)")
        }
    }

    private func add(_ doc: inout JSONValue) throws(OperationFailure) {
        guard case .success(let path) = pointer("path") else {
            throw OperationFailure("add operation failed to decode path: missing value")
        }
        let (parents, key) = JSONPointer.split(path)
        let value = self.value
        let found: Void? = try doc.withContainer(at: parents) { (c: inout JSONValue) throws(OperationFailure) in
            do throws(OperationFailure) { try c.containerAdd(key, value) } catch {
                throw OperationFailure("error in add for path: '\(path)': \(error.text)")
            }
        }
        if found == nil || parents == nil {
            throw OperationFailure("add operation does not apply: doc is missing path: \"\(path)\": missing value")
        }
    }

    private func remove(_ doc: inout JSONValue) throws(OperationFailure) {
        guard case .success(let path) = pointer("path") else {
            throw OperationFailure("remove operation failed to decode path: missing value")
        }
        let (parents, key) = JSONPointer.split(path)
        let found: Void? = try doc.withContainer(at: parents) { (c: inout JSONValue) throws(OperationFailure) in
            do throws(OperationFailure) { _ = try c.containerRemove(key) } catch {
                throw OperationFailure("error in remove for path: '\(path)': \(error.text)")
            }
        }
        if found == nil || parents == nil {
            throw OperationFailure("remove operation does not apply: doc is missing path: \"\(path)\": missing value")
        }
    }

    private func replace(_ doc: inout JSONValue) throws(OperationFailure) {
        let path: String
        switch pointer("path") {
        case .success(let p): path = p
        case .failure(let e): throw OperationFailure("replace operation failed to decode path: \(e.text)")
        }
        if path.isEmpty {
            switch value {
            case .object, .array: doc = value
            default: throw OperationFailure("replace operation value must be object or array: %!w(<nil>)")
            }
            return
        }
        let (parents, key) = JSONPointer.split(path)
        let value = self.value
        let found: Void? = try doc.withContainer(at: parents) { (c: inout JSONValue) throws(OperationFailure) in
            do throws(OperationFailure) { _ = try c.containerGet(key) } catch {
                throw OperationFailure("replace operation does not apply: doc is missing key: \(path): missing value")
            }
            do throws(OperationFailure) { try c.containerSet(key, value) } catch {
                throw OperationFailure("error in remove for path: '\(path)': \(error.text)")
            }
        }
        if found == nil || parents == nil {
            throw OperationFailure("replace operation does not apply: doc is missing path: \(path): missing value")
        }
    }

    private func move(_ doc: inout JSONValue) throws(OperationFailure) {
        let from: String
        switch pointer("from") {
        case .success(let p): from = p
        case .failure(let e): throw OperationFailure("move operation failed to decode from: \(e.text)")
        }
        let (fromParents, fromKey) = JSONPointer.split(from)
        let moved = try doc.withContainer(at: fromParents) { (c: inout JSONValue) throws(OperationFailure) -> JSONValue? in
            let value: JSONValue?
            do throws(OperationFailure) { value = try c.containerGet(fromKey) } catch {
                throw OperationFailure("error in move for path: '\(fromKey)': \(error.text)")
            }
            do throws(OperationFailure) { _ = try c.containerRemove(fromKey) } catch {
                throw OperationFailure("error in move for path: '\(fromKey)': \(error.text)")
            }
            return value
        }
        guard let moved, fromParents != nil else {
            throw OperationFailure("move operation does not apply: doc is missing from path: \(from): missing value")
        }
        let path: String
        switch pointer("path") {
        case .success(let p): path = p
        case .failure(let e): throw OperationFailure("move operation failed to decode path: \(e.text)")
        }
        let (parents, key) = JSONPointer.split(path)
        let value = moved ?? .null
        let found: Void? = try doc.withContainer(at: parents) { (c: inout JSONValue) throws(OperationFailure) in
            do throws(OperationFailure) { try c.containerAdd(key, value) } catch {
                throw OperationFailure("error in move for path: '\(path)': \(error.text)")
            }
        }
        if found == nil || parents == nil {
            throw OperationFailure("move operation does not apply: doc is missing destination path: \(path): missing value")
        }
    }

    private func copy(_ doc: inout JSONValue) throws(OperationFailure) {
        let from: String
        switch pointer("from") {
        case .success(let p): from = p
        case .failure(let e): throw OperationFailure("copy operation failed to decode from: \(e.text)")
        }
        let (fromParents, fromKey) = JSONPointer.split(from)
        var copied: JSONValue?? = nil
        if fromParents != nil {
            copied = try doc.withContainer(at: fromParents) { (c: inout JSONValue) throws(OperationFailure) -> JSONValue? in
                do throws(OperationFailure) { return try c.containerGet(fromKey) } catch {
                    throw OperationFailure("error in copy for from: '\(from)': \(error.text)")
                }
            }
        }
        guard let copied else {
            throw OperationFailure("copy operation does not apply: doc is missing from path: \(from): missing value")
        }
        guard case .success(let path) = pointer("path") else {
            throw OperationFailure("copy operation failed to decode path: missing value")
        }
        let (parents, key) = JSONPointer.split(path)
        let value = copied ?? .null
        let found: Void? = try doc.withContainer(at: parents) { (c: inout JSONValue) throws(OperationFailure) in
            do throws(OperationFailure) { try c.containerAdd(key, value) } catch {
                throw OperationFailure("error while adding value during copy: \(error.text)")
            }
        }
        if found == nil || parents == nil {
            throw OperationFailure("copy operation does not apply: doc is missing destination path: \(path): missing value")
        }
    }

    private func test(_ doc: JSONValue) throws(OperationFailure) {
        let path: String
        switch pointer("path") {
        case .success(let p): path = p
        case .failure(let e): throw OperationFailure("test operation failed to decode path: \(e.text)")
        }
        if path.isEmpty {
            if doc == value { return }
            throw OperationFailure("testing value \(path) failed: test failed")
        }
        let (parents, key) = JSONPointer.split(path)
        var scratch = doc
        let actual = try scratch.withContainer(at: parents) { (c: inout JSONValue) throws(OperationFailure) -> JSONValue? in
            do throws(OperationFailure) { return try c.containerGet(key) } catch {
                throw OperationFailure("error in test for path: '\(path)': \(error.text)")
            }
        }
        guard let actual, parents != nil else {
            throw OperationFailure("test operation does not apply: is missing path: \(path): missing value")
        }
        switch actual {
        case nil, .null?:
            if !hasValue { return }
        case let present?:
            if fields["value"] != nil, present == value { return }
        }
        throw OperationFailure("testing value \(path) failed: test failed")
    }
}

/// RFC 6901 pointers, split as v4's findObject splits them.
enum JSONPointer {
    /// The decoded parent tokens (nil when the path has no "/" at all, which addresses nothing) and the
    /// decoded last token.
    static func split(_ path: String) -> (parents: [String]?, key: String) {
        let raw = path.split(separator: "/", omittingEmptySubsequences: false)
        guard raw.count >= 2 else { return (nil, "") }
        let parents = raw[1..<(raw.count - 1)].map { decode($0) }
        return (parents, decode(raw[raw.count - 1]))
    }

    /// "~1" becomes "/" first, then "~0" becomes "~" (so "~01" is "~1").
    static func decode(_ token: Substring) -> String {
        guard token.contains("~") else { return String(token) }
        var out = ""
        var chars = token.makeIterator()
        while let c = chars.next() {
            guard c == "~" else { out.append(c); continue }
            switch chars.next() {
            case "1": out.append("/")
            case "0": out.append("~")
            case let other?: out.append("~"); out.append(other)
            case nil: out.append("~")
            }
        }
        return out
    }
}

extension JSONValue {
    /// Runs `body` on the container (object or array) reached through `parents`; nil when a step is
    /// missing, null or a scalar. The container is mutated in place (no copy of the tree on the way).
    mutating func withContainer<T>(at parents: [String]?,
                                   _ body: (inout JSONValue) throws(OperationFailure) -> T) throws(OperationFailure) -> T? {
        guard let parents else { return nil }
        return try withContainer(parents[...], body)
    }

    private mutating func withContainer<T>(_ parents: ArraySlice<String>,
                                           _ body: (inout JSONValue) throws(OperationFailure) -> T) throws(OperationFailure) -> T? {
        guard let first = parents.first else {
            switch self {
            case .object, .array: return try body(&self)
            default: return nil
            }
        }
        switch self {
        case .object(var o):
            guard var child = o[first], child != .null else { return nil }
            self = .null
            o[first] = .null
            defer { o[first] = child; self = .object(o) }
            return try child.withContainer(parents.dropFirst(), body)
        case .array(var a):
            guard let index = try? Self.arrayIndex(first, count: a.count, allowEnd: false), a[index] != .null else {
                return nil
            }
            var child = a[index]
            self = .null
            a[index] = .null
            defer { a[index] = child; self = .array(a) }
            return try child.withContainer(parents.dropFirst(), body)
        default:
            return nil
        }
    }

    /// Go's strconv.Atoi, then v4's bounds: negative indexes count from the end.
    static func arrayIndex(_ token: String, count: Int, allowEnd: Bool) throws(OperationFailure) -> Int {
        guard let parsed = atoi(token) else {
            throw OperationFailure("strconv.Atoi: parsing \"\(token)\": invalid syntax")
        }
        guard let idx = parsed else {
            throw OperationFailure("strconv.Atoi: parsing \"\(token)\": value out of range")
        }
        let limit = allowEnd ? count + 1 : count
        if idx >= limit || idx < -limit {
            throw OperationFailure("Unable to access invalid index: \(idx): invalid index referenced")
        }
        return idx < 0 ? idx + limit : idx
    }

    /// nil: syntax error; .some(nil): out of range.
    private static func atoi(_ s: String) -> Int?? {
        var digits = Substring(s)
        var negative = false
        if let f = digits.first, f == "+" || f == "-" { negative = f == "-"; digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        guard let magnitude = Int(digits) else { return .some(nil) }
        return .some(negative ? -magnitude : magnitude)
    }

    func containerGet(_ key: String) throws(OperationFailure) -> JSONValue? {
        switch self {
        case .object(let o): return o[key]
        case .array(let a): return a[try Self.arrayIndex(key, count: a.count, allowEnd: false)]
        default: return nil
        }
    }

    mutating func containerAdd(_ key: String, _ value: JSONValue) throws(OperationFailure) {
        switch self {
        case .object(var o):
            self = .null
            o[key] = value
            self = .object(o)
        case .array(var a):
            if key == "-" {
                self = .null
                a.append(value)
                self = .array(a)
                return
            }
            let idx: Int
            do throws(OperationFailure) { idx = try Self.arrayIndex(key, count: a.count, allowEnd: true) } catch {
                if error.text.hasPrefix("strconv") {
                    throw OperationFailure("value was not a proper array index: '\(key)': \(error.text)")
                }
                throw error
            }
            self = .null
            a.insert(value, at: idx)
            self = .array(a)
        default:
            break
        }
    }

    mutating func containerSet(_ key: String, _ value: JSONValue) throws(OperationFailure) {
        switch self {
        case .object(var o):
            self = .null
            o[key] = value
            self = .object(o)
        case .array(var a):
            let idx = try Self.arrayIndex(key, count: a.count, allowEnd: false)
            self = .null
            a[idx] = value
            self = .array(a)
        default:
            break
        }
    }

    @discardableResult
    mutating func containerRemove(_ key: String) throws(OperationFailure) -> JSONValue? {
        switch self {
        case .object(var o):
            guard o[key] != nil else {
                throw OperationFailure("Unable to remove nonexistent key: \(key): missing value")
            }
            self = .null
            let removed = o.removeValue(forKey: key)
            self = .object(o)
            return removed
        case .array(var a):
            let idx = try Self.arrayIndex(key, count: a.count, allowEnd: false)
            self = .null
            let removed = a.remove(at: idx)
            self = .array(a)
            return removed
        default:
            return nil
        }
    }
}
