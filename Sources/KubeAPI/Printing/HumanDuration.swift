import FoundationEssentials

/// `duration.HumanDuration` from the apimachinery: the AGE column's "5m", "2d3h", "3y12d".
/// Precision falls as the duration grows, so a column stays short; up to a second of clock skew
/// (a negative duration) still reads "0s".
public enum HumanDuration {
    public static func string(seconds: Int64) -> String {
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of an RFC 3339 timestamp at `now`, as the printers' `translateTimestampSince`:
    /// "<unknown>" when the timestamp is missing or unreadable.
    public static func since(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let t = MicroTime(rfc3339: timestamp) else { return "<unknown>" }
        let nowMicros = Int64((now.timeIntervalSince1970 * 1_000_000).rounded(.down))
        // Go truncates the nanosecond duration to whole seconds toward zero.
        return string(seconds: (nowMicros - t.microseconds) / 1_000_000)
    }
}
