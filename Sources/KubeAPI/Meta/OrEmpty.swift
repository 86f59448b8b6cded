/// A required collection or string that decodes as empty when absent or null, as Go's zero value:
/// `{"spec":{}}` still decodes, so the API server can answer 422 "Required value" rather than a
/// 400 decode error. Always encoded (Kubernetes writes these fields even when empty).
@propertyWrapper
public struct OrEmpty<T: Codable & Hashable & Sendable & RangeReplaceableCollection>: Codable, Hashable, Sendable {
    public var wrappedValue: T
    public init(wrappedValue: T) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? T() : try c.decode(T.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    public func decode<T>(_ type: OrEmpty<T>.Type, forKey key: Key) throws -> OrEmpty<T> {
        try decodeIfPresent(type, forKey: key) ?? OrEmpty(wrappedValue: T())
    }
}
