/// Splits a watch body into its JSON documents, however the chunks fall: one event may span many
/// chunks and one chunk hold many events. Frames by JSON structure rather than by newline, since
/// Kubernetes' JSON stream framing does not promise a newline between events.
public struct JSONStreamFramer: Sendable {
    private var pending: [UInt8] = []
    private var scanned = 0
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var start: Int?

    /// Refuses to buffer a single document beyond this (a stream that is not JSON).
    public var maxDocumentSize = 64 << 20

    public init() {}

    public struct Oversized: Error {}

    /// Feeds bytes; returns every document completed by them.
    public mutating func append(_ bytes: some Sequence<UInt8>) throws -> [[UInt8]] {
        pending.append(contentsOf: bytes)
        var out: [[UInt8]] = []
        var i = scanned
        while i < pending.count {
            let b = pending[i]
            if start == nil {
                if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                    start = i
                    depth = 1
                }
                i += 1
                continue
            }
            if inString {
                if escaped { escaped = false }
                else if b == UInt8(ascii: "\\") { escaped = true }
                else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                depth += 1
            } else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0, let s = start {
                    out.append(Array(pending[s...i]))
                    start = nil
                }
            }
            i += 1
        }
        // Drop what has been emitted or skipped so the buffer holds at most one partial document.
        let keepFrom = start ?? pending.count
        pending.removeFirst(keepFrom)
        scanned = i - keepFrom
        if let s = start { start = s - keepFrom }
        if pending.count > maxDocumentSize { throw Oversized() }
        return out
    }

    /// Bytes of a document begun but not finished.
    public var hasPartialDocument: Bool { start != nil }
}
