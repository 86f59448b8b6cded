import FoundationEssentials

/// Any JSON value, for order-independent comparison of encoded objects. Nulls inside objects are
/// dropped (Kubernetes writes `"creationTimestamp": null` where we omit the key: same meaning).
enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let c = try? decoder.container(keyedBy: Key.self) {
            var o: [String: JSONValue] = [:]
            for k in c.allKeys {
                let v = try c.decode(JSONValue.self, forKey: k)
                if v != .null { o[k.stringValue] = v }
            }
            self = .object(o)
        } else if var c = try? decoder.unkeyedContainer() {
            var a: [JSONValue] = []
            while !c.isAtEnd { a.append(try c.decode(JSONValue.self)) }
            self = .array(a)
        } else {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let i = try? c.decode(Int64.self) { self = .int(i) }
            else if let d = try? c.decode(Double.self) { self = .double(d) }
            else { self = .string(try c.decode(String.self)) }
        }
    }

    static func parse(_ s: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(s.utf8)) }
    static func parse(_ d: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: d) }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): String(b)
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): "\"\(s)\""
        case .array(let a): "[" + a.map(\.description).joined(separator: ",") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\"\($0)\":\(o[$0]!)" }.joined(separator: ",") + "}"
        }
    }

    /// Paths where two values differ (for readable failures).
    func differences(_ other: JSONValue, path: String = "$") -> [String] {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            return Set(a.keys).union(b.keys).sorted().flatMap { k -> [String] in
                switch (a[k], b[k]) {
                case (nil, _): return ["\(path).\(k): missing on the left"]
                case (_, nil): return ["\(path).\(k): missing on the right"]
                case (let x?, let y?): return x.differences(y, path: "\(path).\(k)")
                }
            }
        case (.array(let a), .array(let b)) where a.count == b.count:
            return zip(a, b).enumerated().flatMap { $1.0.differences($1.1, path: "\(path)[\($0)]") }
        default:
            return self == other ? [] : ["\(path): \(self) != \(other)"]
        }
    }
}

/// Decodes `json` as T, encodes it back, and returns the differences from the input.
func roundTrip<T: Codable>(_ type: T.Type, _ json: String) throws -> (T, [String]) {
    let value = try JSONDecoder().decode(T.self, from: Data(json.utf8))
    let out = try JSONEncoder().encode(value)
    return (value, try JSONValue.parse(json).differences(JSONValue.parse(out)))
}
