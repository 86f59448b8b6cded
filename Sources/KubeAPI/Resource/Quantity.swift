/// Why a quantity string was rejected (messages as `resource.ParseQuantity`'s errors).
public enum QuantityError: Error, Hashable, Sendable, CustomStringConvertible {
    case formatWrong
    case numeric
    case suffix
    case tooLarge

    public var description: String {
        switch self {
        case .formatWrong:
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        case .numeric: "unable to parse numeric part of quantity"
        case .suffix: "unable to parse quantity's suffix"
        case .tooLarge: "quantity is too large"
        }
    }
}

/// `resource.Quantity`: an exact fixed-point number with Kubernetes' suffix grammar and canonical form.
///
/// The value is held as an integer count of nano-units (`value × 10⁹`) in an `Int128`: exact for
/// everything a quantity can express once rounded to 1n (values below 1n round away from zero, as in
/// Kubernetes), up to ±1.7·10²⁹ — past any CPU, memory or storage amount. The format (decimal SI,
/// binary SI, decimal exponent) comes from the suffix parsed and drives the canonical string.
public struct Quantity: Hashable, Sendable, Comparable, CustomStringConvertible, Codable,
    ExpressibleByStringLiteral, ExpressibleByIntegerLiteral
{
    public enum Format: String, Hashable, Sendable {
        case decimalSI = "DecimalSI"
        case binarySI = "BinarySI"
        case decimalExponent = "DecimalExponent"
    }

    /// The value in units of 10⁻⁹.
    public private(set) var nanos: Int128
    public var format: Format

    static let nano: Int128 = 1_000_000_000
    static let maxNanos: Int128 = Int128.max / 10

    public init(nanos: Int128, format: Format = .decimalSI) {
        self.nanos = nanos
        self.format = format
    }

    public init(_ value: Int64, format: Format = .decimalSI) {
        self.init(nanos: Int128(value) * Quantity.nano, format: format)
    }

    public init(milli: Int64, format: Format = .decimalSI) {
        self.init(nanos: Int128(milli) * 1_000_000, format: format)
    }

    public init(integerLiteral value: Int64) { self.init(value) }

    /// Traps on an invalid literal: use `Quantity.parse` for input.
    public init(stringLiteral value: String) {
        do { self = try Quantity.parse(value) } catch { fatalError("invalid quantity literal \"\(value)\": \(error)") }
    }

    public init?(_ string: String) {
        guard let q = try? Quantity.parse(string) else { return nil }
        self = q
    }

    public static let zero = Quantity(nanos: 0)

    // MARK: Parsing

    private static let decimalSuffixes: [String: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]
    private static let suffixLetters = Set("eEinumkKMGTP".utf8)
    private static let binarySuffixes: [String: Int] = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60]

    private static func pow10(_ n: Int) -> Int128 {
        var r: Int128 = 1
        for _ in 0..<n { r *= 10 }
        return r
    }

    /// Parses a quantity string (`100m`, `1.5Gi`, `1e3`, `-2k`, `+0.5`).
    public static func parse(_ string: String) throws(QuantityError) -> Quantity {
        let b = Array(string.utf8)
        guard !b.isEmpty else { throw .formatWrong }
        var pos = 0
        var negative = false
        if b[0] == UInt8(ascii: "-") { negative = true; pos = 1 } else if b[0] == UInt8(ascii: "+") { pos = 1 }
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        let numStart = pos
        while pos < b.count, isDigit(b[pos]) { pos += 1 }
        let num = b[numStart..<pos]
        var denom = b[pos..<pos]
        if pos < b.count, b[pos] == UInt8(ascii: ".") {
            pos += 1
            let s = pos
            while pos < b.count, isDigit(b[pos]) { pos += 1 }
            denom = b[s..<pos]
        }
        // At least one digit (Kubernetes also takes "." or "Ki" as zero; we do not).
        guard !num.isEmpty || !denom.isEmpty else { throw .formatWrong }
        let suffixStart = pos
        while pos < b.count, suffixLetters.contains(b[pos]) { pos += 1 }
        if pos < b.count, b[pos] == UInt8(ascii: "-") || b[pos] == UInt8(ascii: "+") { pos += 1 }
        while pos < b.count, isDigit(b[pos]) { pos += 1 }
        guard pos == b.count else { throw .formatWrong }
        let suffix = String(decoding: b[suffixStart...], as: UTF8.self)

        var format: Format
        var base10Exponent = 0
        var binaryExponent = 0
        if let e = decimalSuffixes[suffix] {
            format = .decimalSI
            base10Exponent = e
        } else if let e = binarySuffixes[suffix] {
            format = .binarySI
            binaryExponent = e
        } else if let first = suffix.utf8.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E"),
                  let e = Int32(suffix.dropFirst()) {
            format = .decimalExponent
            base10Exponent = Int(e)
        } else {
            throw .suffix
        }

        // Digits without leading zeros; the value is digits × 2^binaryExponent × 10^(base10Exponent − |denom|).
        var digits = Array(num) + Array(denom)
        while let f = digits.first, f == UInt8(ascii: "0") { digits.removeFirst() }
        var scale = base10Exponent - denom.count
        // Trailing zeros only move the scale: keeps the integer part small.
        while let l = digits.last, l == UInt8(ascii: "0") { digits.removeLast(); scale += 1 }
        if digits.isEmpty { return Quantity(nanos: 0, format: format == .binarySI ? .binarySI : format) }

        // Round away from zero to 1n: keep digits down to 10^-9 (after the binary multiplier for binary).
        var roundUp = false
        if binaryExponent == 0, scale < -9 {
            let drop = -9 - scale
            if drop >= digits.count {
                digits = []
            } else {
                digits.removeLast(drop)
            }
            roundUp = true  // the dropped digits were non-zero (trailing zeros were stripped)
            scale = -9
        }
        guard digits.count <= 38 else { throw .tooLarge }
        var mantissa: Int128 = 0
        for d in digits { mantissa = mantissa * 10 + Int128(d - 48) }
        if roundUp { mantissa += 1 }

        var nanos: Int128
        if binaryExponent > 0 {
            // mantissa × 2^e × 10^scale in nanos: multiply first, then divide (rounding up).
            let (shifted, o1) = mantissa.multipliedReportingOverflow(by: Int128(1) << binaryExponent)
            guard !o1 else { throw .tooLarge }
            let nanoScale = scale + 9
            if nanoScale >= 0 {
                guard nanoScale <= 38 else { throw .tooLarge }
                let (v, o2) = shifted.multipliedReportingOverflow(by: pow10(nanoScale))
                guard !o2 else { throw .tooLarge }
                nanos = v
            } else {
                guard -nanoScale <= 38 else { return Quantity(nanos: negative ? -1 : 1, format: .decimalSI) }
                let div = pow10(-nanoScale)
                let (q, r) = shifted.quotientAndRemainder(dividingBy: div)
                nanos = r == 0 ? q : q + 1
            }
            // Kubernetes caps binary quantities at 2^63 − 1.
            let cap = Int128(Int64.max) * nano
            if nanos > cap { nanos = cap }
            if nanos < nano { format = .decimalSI }
        } else {
            let nanoScale = scale + 9
            guard nanoScale <= 38 else { throw .tooLarge }
            let (v, o) = mantissa.multipliedReportingOverflow(by: pow10(nanoScale))
            guard !o else { throw .tooLarge }
            nanos = v
        }
        guard nanos <= maxNanos else { throw .tooLarge }
        return Quantity(nanos: negative ? -nanos : nanos, format: format)
    }

    // MARK: Values

    public var isZero: Bool { nanos == 0 }
    public var sign: Int { nanos == 0 ? 0 : (nanos < 0 ? -1 : 1) }

    /// The value divided by 10^(9 − k), rounded away from zero; saturates at Int64's range.
    private func scaled(divisor: Int128) -> Int64 {
        let (q, r) = nanos.quotientAndRemainder(dividingBy: divisor)
        let v = r == 0 ? q : (nanos > 0 ? q + 1 : q - 1)
        if v > Int128(Int64.max) { return .max }
        if v < Int128(Int64.min) { return .min }
        return Int64(v)
    }

    /// Whole units, rounded up (away from zero) as `Quantity.Value()`.
    public var value: Int64 { scaled(divisor: Quantity.nano) }
    /// Thousandths, rounded up (away from zero) as `Quantity.MilliValue()`.
    public var milliValue: Int64 { scaled(divisor: 1_000_000) }
    /// The value in units of 10^scale (scale ≥ −9), rounded away from zero, as `ScaledValue`.
    public func scaledValue(_ scale: Int) -> Int64 {
        precondition(scale >= -9, "scale below nano")
        let p = scale + 9
        if p > 38 { return nanos == 0 ? 0 : (nanos > 0 ? 1 : -1) }
        return scaled(divisor: Quantity.pow10(p))
    }

    /// Approximate value as a Double (for display and ratios only).
    public var doubleValue: Double { Double(nanos) / 1e9 }

    // MARK: Arithmetic

    private static func saturating(_ r: (partialValue: Int128, overflow: Bool), _ positive: Bool) -> Int128 {
        r.overflow ? (positive ? maxNanos : -maxNanos) : max(-maxNanos, min(maxNanos, r.partialValue))
    }

    /// Sum; the format is the receiver's unless it is zero (as `Quantity.Add`). Saturates at the range.
    public static func + (a: Quantity, b: Quantity) -> Quantity {
        Quantity(nanos: saturating(a.nanos.addingReportingOverflow(b.nanos), a.nanos > 0),
                 format: a.isZero ? b.format : a.format)
    }

    public static func - (a: Quantity, b: Quantity) -> Quantity {
        Quantity(nanos: saturating(a.nanos.subtractingReportingOverflow(b.nanos), a.nanos > 0),
                 format: a.isZero ? b.format : a.format)
    }

    public static prefix func - (a: Quantity) -> Quantity { Quantity(nanos: -a.nanos, format: a.format) }

    public static func += (a: inout Quantity, b: Quantity) { a = a + b }
    public static func -= (a: inout Quantity, b: Quantity) { a = a - b }

    /// Multiplies by an integer (replica counts and the like). Saturates at the range.
    public static func * (a: Quantity, n: Int) -> Quantity {
        let r = a.nanos.multipliedReportingOverflow(by: Int128(n))
        return Quantity(nanos: saturating(r, (a.nanos > 0) == (n > 0)), format: a.format)
    }

    public static func < (a: Quantity, b: Quantity) -> Bool { a.nanos < b.nanos }

    /// Equal values are equal whatever their format (`1Gi == 1073741824`), as `Quantity.Cmp`.
    public static func == (a: Quantity, b: Quantity) -> Bool { a.nanos == b.nanos }
    public func hash(into h: inout Hasher) { h.combine(nanos) }

    public func compare(_ other: Quantity) -> Int { self < other ? -1 : (self == other ? 0 : 1) }

    // MARK: Canonical string

    /// The canonical form Kubernetes writes (`1500m`, `1Gi`, `1536Mi`, `1e3`, `100k`).
    public var description: String {
        if nanos == 0 { return "0" }
        var format = self.format
        if format == .binarySI {
            if nanos > -1024 * Quantity.nano, nanos < 1024 * Quantity.nano {
                format = .decimalSI
            } else if nanos % Quantity.nano != 0 {
                format = .decimalSI
            }
        }
        if format == .binarySI {
            var n = nanos / Quantity.nano
            var e = 0
            while e < 6, n % 1024 == 0 {
                n /= 1024
                e += 1
            }
            return String(n) + ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][e]
        }
        var m = nanos
        var e = -9
        while m % 10 == 0 {
            m /= 10
            e += 1
        }
        let extra = ((e % 3) + 3) % 3
        for _ in 0..<extra { m *= 10 }
        e -= extra
        if format == .decimalSI, e <= 18 {
            let suffix = ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"][(e + 9) / 3]
            return String(m) + suffix
        }
        return e == 0 ? String(m) : String(m) + "e" + String(e)
    }

    public var string: String { description }

    // MARK: Codable

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s: String
        if let str = try? c.decode(String.self) {
            s = str
        } else if let i = try? c.decode(Int64.self) {
            s = String(i)
        } else {
            s = String(try c.decode(Double.self))
        }
        do {
            self = try Quantity.parse(s)
        } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "invalid quantity \"\(s)\": \(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
