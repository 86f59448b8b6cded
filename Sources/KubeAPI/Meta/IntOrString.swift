/// `intstr.IntOrString`: a JSON number or a JSON string (ports by number or name, "25%").
public enum IntOrString: Codable, Hashable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral
{
    case int(Int32)
    case string(String)

    public init(integerLiteral value: Int32) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int32.self) {
            self = .int(i)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        }
    }

    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .string(let s): s
        }
    }

    /// Resolves against `total` like `intstr.GetScaledValueFromIntOrPercent`: ints as is,
    /// "N%" as N% of total rounded up or down. Nil for a string that is not a percentage.
    public func scaledValue(total: Int, roundUp: Bool) -> Int? {
        switch self {
        case .int(let i): return Int(i)
        case .string(let s):
            guard s.hasSuffix("%"), let p = Int(s.dropLast()), p >= 0 else { return nil }
            let product = p * total
            return roundUp ? (product + 99) / 100 : product / 100
        }
    }
}
