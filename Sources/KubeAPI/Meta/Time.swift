import FoundationEssentials

/// Civil-calendar conversion (proleptic Gregorian, UTC) used by `Time` and `MicroTime`.
enum CivilTime {
    /// Days since 1970-01-01 for a year/month/day.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Year/month/day for days since 1970-01-01.
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `YYYY-MM-DDTHH:MM:SS` for Unix seconds, UTC.
    static func format(seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rem = seconds - days * 86_400
        let (y, m, d) = civil(days: days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rem / 3600, 2)):\(pad(rem / 60 % 60, 2)):\(pad(rem % 60, 2))"
    }

    /// Parses RFC 3339 (`2026-11-24T16:35:14Z`, `…14.123456+02:00`) into Unix seconds and nanoseconds.
    static func parse(_ string: String) -> (seconds: Int64, nanos: Int64)? {
        let b = Array(string.utf8)
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, let y = num(0, 4), b[4] == UInt8(ascii: "-"), let mo = num(5, 2), b[7] == UInt8(ascii: "-"),
              let d = num(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let h = num(11, 2), b[13] == UInt8(ascii: ":"), let mi = num(14, 2), b[16] == UInt8(ascii: ":"),
              let s = num(17, 2)
        else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= 31, h < 24, mi < 60, s < 61 else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 9 { for _ in digits..<9 { nanos *= 10 } }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let om = num(i + 4, 2),
                  oh < 24, om < 60
            else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let secs = days(year: y, month: mo, day: d) * 86_400 + h * 3600 + mi * 60 + s - offset
        return (secs, nanos)
    }
}

/// `metav1.Time`: RFC 3339 in UTC with whole seconds (`2026-11-24T16:35:14Z`).
public struct Time: RFC3339Coded, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since the Unix epoch.
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }
    public init(_ date: Date) { seconds = Int64(date.timeIntervalSince1970.rounded(.down)) }
    public static func now() -> Time { Time(Date()) }

    /// Parses RFC 3339; fractional seconds are truncated, offsets converted to UTC.
    public init?(rfc3339 string: String) {
        guard let p = CivilTime.parse(string) else { return nil }
        seconds = p.seconds
    }

    public var date: Date { Date(timeIntervalSince1970: Double(seconds)) }
    public var rfc3339: String { CivilTime.format(seconds: seconds) + "Z" }
    public var description: String { rfc3339 }

    public static func < (a: Time, b: Time) -> Bool { a.seconds < b.seconds }
}

/// `metav1.MicroTime`: RFC 3339 in UTC with six fractional digits (`2026-11-24T16:35:14.123456Z`).
public struct MicroTime: RFC3339Coded, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Microseconds since the Unix epoch.
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public init(_ date: Date) { microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down)) }
    public static func now() -> MicroTime { MicroTime(Date()) }

    public init?(rfc3339 string: String) {
        guard let p = CivilTime.parse(string) else { return nil }
        microseconds = p.seconds * 1_000_000 + p.nanos / 1000
    }

    public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }
    public var rfc3339: String {
        var secs = microseconds / 1_000_000
        var micros = microseconds % 1_000_000
        if micros < 0 { micros += 1_000_000; secs -= 1 }
        return CivilTime.format(seconds: secs) + "." + CivilTime.pad(micros, 6) + "Z"
    }
    public var description: String { rfc3339 }

    public static func < (a: MicroTime, b: MicroTime) -> Bool { a.microseconds < b.microseconds }
}

/// A time that travels in JSON as its RFC 3339 string (metav1.Time, metav1.MicroTime).
public protocol RFC3339Coded: Codable {
    init?(rfc3339 string: String)
    var rfc3339: String { get }
}

extension RFC3339Coded {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let t = Self(rfc3339: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "invalid RFC 3339 time \"\(s)\"")
        }
        self = t
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rfc3339)
    }
}
