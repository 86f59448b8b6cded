/// Renders JSON values as Go's fmt does for the `interface{}` trees the apimachinery patch code works on,
/// so error messages read exactly as kube-apiserver's (`map[image:foo name:a]`, `[1 2]`, `<nil>`).
enum GoFormat {
    /// `%v`.
    static func value(_ v: JSONValue) -> String {
        switch v {
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .double(let d): return float(d)
        case .string(let s): return s
        case .array(let a): return "[" + a.map(value).joined(separator: " ") + "]"
        case .object(let o):
            return "map[" + o.keys.sorted().map { "\($0):\(value(o[$0] ?? .null))" }.joined(separator: " ") + "]"
        }
    }

    /// `%s` of an `interface{}`: strings as they are, anything else as `%!s(type=value)`.
    static func stringVerb(_ v: JSONValue) -> String {
        if case .string(let s) = v { return s }
        if case .null = v { return "%!s(<nil>)" }
        return "%!s(\(typeName(v))=\(value(v)))"
    }

    /// `reflect.TypeOf(x).String()` for the types encoding/json produces.
    static func typeName(_ v: JSONValue?) -> String {
        switch v {
        case nil, .null?: return "<nil>"
        case .bool?: return "bool"
        case .integer?: return "int64"
        case .double?: return "float64"
        case .string?: return "string"
        case .array?: return "[]interface {}"
        case .object?: return "map[string]interface {}"
        }
    }

    /// `%v` of a float64: strconv's shortest 'g' form, exponent when the decimal exponent is below -4 or
    /// at least 6 (`1e+06`, `2.5`, `1e-05`).
    static func float(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        // Swift's description is also the shortest round-tripping form; re-lay its digits out Go's way.
        let text = "\(abs(d))"
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) }
            ?? mantissa.count
        var digits = Array(mantissa.filter { $0 != "." })
        var decimalPoint = point + exponent
        while digits.first == "0" { digits.removeFirst(); decimalPoint -= 1 }
        while digits.last == "0" { digits.removeLast() }
        let sign = d < 0 ? "-" : ""
        let x = decimalPoint - 1
        if x < -4 || x >= 6 {
            let head = String(digits[0])
            let tail = digits.count > 1 ? "." + String(digits[1...]) : ""
            let magnitude = abs(x) < 10 ? "0\(abs(x))" : "\(abs(x))"
            return sign + head + tail + "e" + (x < 0 ? "-" : "+") + magnitude
        }
        if decimalPoint <= 0 {
            return sign + "0." + String(repeating: "0", count: -decimalPoint) + String(digits)
        }
        if decimalPoint >= digits.count {
            return sign + String(digits) + String(repeating: "0", count: decimalPoint - digits.count)
        }
        return sign + String(digits[..<decimalPoint]) + "." + String(digits[decimalPoint...])
    }
}
