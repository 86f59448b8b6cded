import KubeAPI

/// The patch types PATCH accepts, by Content-Type.
enum PatchType: String, Sendable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    static func from(contentType: String?) -> PatchType? {
        guard let ct = contentType else { return nil }
        let base = ct.split(separator: ";").first.map { $0.trimmingSpaces() } ?? ""
        return PatchType(rawValue: base.lowercased())
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

enum PatchError: Error, Sendable { case invalid(String), testFailed(String) }

/// RFC 7386 JSON merge patch and RFC 6902 JSON patch on `JSONValue`.
enum Patching {
    static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let p) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (k, v) in p {
            if v == .null {
                result[k] = nil
            } else {
                result[k] = mergePatch(result[k] ?? .null, v)
            }
        }
        return .object(result)
    }

    static func jsonPatch(_ target: JSONValue, _ patch: JSONValue) throws(PatchError) -> JSONValue {
        guard let ops = patch.arrayValue else { throw .invalid("json patch must be an array of operations") }
        var doc = target
        for op in ops {
            guard let kind = op["op"]?.stringValue, let path = op["path"]?.stringValue else {
                throw .invalid("json patch operation needs \"op\" and \"path\"")
            }
            let tokens = try pointer(path)
            switch kind {
            case "add":
                guard let v = op["value"] else { throw .invalid("add operation does not apply: missing value") }
                doc = try add(doc, tokens[...], v)
            case "remove":
                doc = try remove(doc, tokens[...])
            case "replace":
                guard let v = op["value"] else { throw .invalid("replace operation does not apply: missing value") }
                _ = try get(doc, tokens[...])
                doc = try remove(doc, tokens[...])
                doc = try add(doc, tokens[...], v)
            case "move", "copy":
                guard let from = op["from"]?.stringValue else { throw .invalid("\(kind) operation needs \"from\"") }
                let fromTokens = try pointer(from)
                let v = try get(doc, fromTokens[...])
                if kind == "move" { doc = try remove(doc, fromTokens[...]) }
                doc = try add(doc, tokens[...], v)
            case "test":
                guard let v = op["value"] else { throw .invalid("test operation needs a value") }
                if try get(doc, tokens[...]) != v { throw .testFailed("testing value \(path) failed") }
            default:
                throw .invalid("Unexpected kind: \(kind)")
            }
        }
        return doc
    }

    static func pointer(_ path: String) throws(PatchError) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw .invalid("JSON pointer must start with '/': \(path)") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).replacingAll("~1", with: "/").replacingAll("~0", with: "~")
        }
    }

    static func get(_ doc: JSONValue, _ tokens: ArraySlice<String>) throws(PatchError) -> JSONValue {
        guard let first = tokens.first else { return doc }
        switch doc {
        case .object(let o):
            guard let v = o[first] else { throw .invalid("path not found: \(first)") }
            return try get(v, tokens.dropFirst())
        case .array(let a):
            guard let i = Int(first), a.indices.contains(i) else { throw .invalid("index out of range: \(first)") }
            return try get(a[i], tokens.dropFirst())
        default:
            throw .invalid("path not found: \(first)")
        }
    }

    static func add(_ doc: JSONValue, _ tokens: ArraySlice<String>, _ value: JSONValue) throws(PatchError) -> JSONValue {
        guard let first = tokens.first else { return value }
        let rest = tokens.dropFirst()
        switch doc {
        case .object(var o):
            if rest.isEmpty { o[first] = value } else {
                guard let child = o[first] else { throw .invalid("add operation does not apply: doc is missing path: \(first)") }
                o[first] = try add(child, rest, value)
            }
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                if first == "-" { a.append(value); return .array(a) }
                guard let i = Int(first), i >= 0, i <= a.count else { throw .invalid("add operation does not apply: index out of range: \(first)") }
                a.insert(value, at: i)
            } else {
                guard let i = Int(first), a.indices.contains(i) else { throw .invalid("index out of range: \(first)") }
                a[i] = try add(a[i], rest, value)
            }
            return .array(a)
        default:
            throw .invalid("add operation does not apply: doc is missing path: \(first)")
        }
    }

    static func remove(_ doc: JSONValue, _ tokens: ArraySlice<String>) throws(PatchError) -> JSONValue {
        guard let first = tokens.first else { throw .invalid("cannot remove the whole document") }
        let rest = tokens.dropFirst()
        switch doc {
        case .object(var o):
            guard let child = o[first] else { throw .invalid("remove operation does not apply: doc is missing path: \(first)") }
            o[first] = rest.isEmpty ? nil : try remove(child, rest)
            return .object(o)
        case .array(var a):
            guard let i = Int(first), a.indices.contains(i) else { throw .invalid("remove operation does not apply: index out of range: \(first)") }
            if rest.isEmpty { a.remove(at: i) } else { a[i] = try remove(a[i], rest) }
            return .array(a)
        default:
            throw .invalid("remove operation does not apply: doc is missing path: \(first)")
        }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}
