// Segment files: `<seq>-<index>.wal`, both 16 hex digits. `seq` counts segments from 0 without gaps;
// `index` is the first entry index the segment may hold (one past the last index when it was started),
// which lets compaction drop whole segments that hold only entries covered by a snapshot.

struct WALSegment: Sendable, Hashable {
    var seq: UInt64
    var index: UInt64

    static let suffix = ".wal"

    var name: String { hex16(seq) + "-" + hex16(index) + Self.suffix }

    init(seq: UInt64, index: UInt64) {
        self.seq = seq
        self.index = index
    }

    init?(name: String) {
        guard name.hasSuffix(Self.suffix) else { return nil }
        let stem = name.dropLast(Self.suffix.count)
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 16,
              let s = UInt64(parts[0], radix: 16), let i = UInt64(parts[1], radix: 16) else { return nil }
        self.init(seq: s, index: i)
    }

    /// Segments found in `dir`, in sequence order; throws if the sequence has a hole (a lost file).
    static func list(_ dir: String) throws(WALError) -> [WALSegment] {
        let found = try WALFS.list(dir).compactMap { WALSegment(name: $0) }.sorted { $0.seq < $1.seq }
        for (a, b) in zip(found, found.dropFirst()) where b.seq != a.seq + 1 || b.index < a.index {
            throw .corrupt(file: WALFS.join(dir, b.name), offset: 0,
                           reason: "segment sequence broken after \(a.name): a segment file is missing or misnamed")
        }
        return found
    }
}
