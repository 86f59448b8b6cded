// The per-key revision index (etcd's keyIndex): the revisions at which one key changed, split into
// generations. A generation runs from the put that created the key to the delete (tombstone) that
// ended it; the last generation is open, and empty while the key is deleted.

struct KeyIndex: Hashable, Sendable {
    var key: [UInt8]
    /// Non-empty. Every generation but the last is non-empty and ends with its tombstone (after a
    /// compaction at its delete, the tombstone may be all that is left of it).
    var generations: [[Revision]]

    init(key: [UInt8], generations: [[Revision]] = [[]]) {
        self.key = key
        self.generations = generations
    }

    /// The newest change to the key, tombstones included.
    var modified: Revision? {
        for g in generations.reversed() { if let r = g.last { return r } }
        return nil
    }

    /// The revision of the live version, nil while the key is deleted.
    var live: Revision? { generations[generations.count - 1].last }

    /// Nothing left to index (every generation compacted away).
    var isEmpty: Bool { generations.count == 1 && generations[0].isEmpty }

    mutating func put(_ rev: Revision) {
        generations[generations.count - 1].append(rev)
    }

    /// Records a delete: closes the open generation with `rev` and opens an empty one.
    mutating func tombstone(_ rev: Revision) {
        precondition(live != nil, "tombstone of a deleted key")
        generations[generations.count - 1].append(rev)
        generations.append([])
    }

    /// The revision of the version that was live at main revision `atRev`, nil if the key did not
    /// exist then (never created, deleted, or its history compacted).
    func revision(at atRev: Int64) -> Revision? {
        var gi = generations.count - 1
        while gi >= 0 {
            let g = generations[gi]
            if let first = g.first {
                let closed = gi != generations.count - 1
                if closed && g[g.count - 1].main <= atRev { return nil } // deleted by then
                if first.main <= atRev {
                    var i = g.count - 1
                    while g[i].main > atRev { i -= 1 }
                    return g[i]
                }
            }
            gi -= 1
        }
        return nil
    }

    /// Drops the history not needed to serve reads and watches at `atRev` or later: generations that
    /// ended before `atRev` go entirely; in the generation alive at `atRev` (or ended by a delete at
    /// `atRev`) the newest revision at or below `atRev` stays, with everything after it. Kept revisions
    /// at or below `atRev` are added to `keep`. As current etcd, a tombstone at exactly `atRev` stays
    /// (so a watch from `atRev` still sees that delete) until a later compaction.
    mutating func compact(_ atRev: Int64, keep: inout Set<Revision>) {
        var gi = 0
        while gi < generations.count - 1, generations[gi][generations[gi].count - 1].main < atRev {
            gi += 1
        }
        if let idx = generations[gi].lastIndex(where: { $0.main <= atRev }) {
            generations[gi].removeFirst(idx)
            keep.insert(generations[gi][0])
        }
        generations.removeFirst(gi)
    }
}
