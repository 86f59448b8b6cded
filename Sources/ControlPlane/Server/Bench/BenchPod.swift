/// The pods the API benchmark writes, as JSON bytes made from a template (the generator should not
/// spend its CPU encoding, the server's is what is measured), and the two annotations a watcher reads
/// back from an event without decoding it: the event's sequence number and its send time.
public enum BenchPod {
    public static let sequenceAnnotation = "bench.swiftlet.dev/seq"
    public static let sentAnnotation = "bench.swiftlet.dev/sent-ns"

    /// A realistic pod: one container with an image, a port, resource requests and limits, labels,
    /// and the benchmark's annotations. `sentNanos` is CLOCK_MONOTONIC at send.
    public static func json(name: String, namespace: String, sequence: Int, sentNanos: UInt64) -> [UInt8] {
        let text = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"\(name)","namespace":"\(namespace)",\
        "labels":{"app":"bench","tier":"web","shard":"\(sequence % 16)"},\
        "annotations":{"\(sequenceAnnotation)":"\(sequence)","\(sentAnnotation)":"\(sentNanos)"}},\
        "spec":{"containers":[{"name":"app","image":"registry.example.com/bench/app:1.0",\
        "ports":[{"containerPort":8080,"protocol":"TCP"}],\
        "resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"500m","memory":"128Mi"}}}],\
        "restartPolicy":"Always"}}
        """
        return Array(text.utf8)
    }

    /// The sequence and send time an event's object carries, read by scanning the event's bytes for
    /// the annotations (a watcher sees 1000 events; decoding each whole pod would load the generator
    /// more than the server). Nil when either is missing or not a number.
    public static func stamp(in event: [UInt8]) -> (sequence: Int, sentNanos: UInt64)? {
        guard let seq = quotedNumber(after: sequenceAnnotation, in: event),
              let sent = quotedNumber(after: sentAnnotation, in: event) else { return nil }
        return (Int(seq), sent)
    }

    /// The digits of `"key":"<digits>"` in `bytes`.
    static func quotedNumber(after key: String, in bytes: [UInt8]) -> UInt64? {
        let needle = Array("\"\(key)\":\"".utf8)
        guard let at = firstIndex(of: needle, in: bytes) else { return nil }
        var i = at + needle.count
        var value: UInt64 = 0
        var digits = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(bytes[i] - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = s
            digits += 1
            i += 1
        }
        guard digits > 0, i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        return value
    }

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
