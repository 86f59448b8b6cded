// Linearizability checking of a single-register-per-key KV history (Wing & Gong's search with Lowe's
// memoization, as in Porcupine). Keys are independent registers, so the history is split per key and
// each part checked alone (linearizability is compositional).

enum LinearizabilityChecker {
    /// Whether the operations on one register admit a linearization. The register starts as "".
    /// Operations with `ret == .max` (pending puts) may be linearized anywhere after their call, or dropped.
    static func checkRegister(_ ops: [HistoryOp]) -> Bool {
        guard !ops.isEmpty else { return true }
        precondition(ops.count <= 64, "history per key must stay within a 64-bit mask")
        let n = ops.count
        var completed: UInt64 = 0
        for i in 0..<n where ops[i].ret != .max { completed |= 1 << UInt64(i) }

        struct Key: Hashable { var done: UInt64; var state: Int }
        var visited = Set<Key>()

        // `state` is the index of the put whose value the register holds, or -1 for the initial "".
        func search(_ done: UInt64, _ state: Int) -> Bool {
            if done & completed == completed { return true }
            guard visited.insert(Key(done: done, state: state)).inserted else { return false }
            // An operation may go next only if no other remaining operation returned before it was called.
            var minRet = Int.max
            for i in 0..<n where done & (1 << UInt64(i)) == 0 { minRet = min(minRet, ops[i].ret) }
            let current = state < 0 ? "" : ops[state].value
            for i in 0..<n where done & (1 << UInt64(i)) == 0 && ops[i].call < minRet {
                let next = done | (1 << UInt64(i))
                switch ops[i].kind {
                case .put:
                    if search(next, i) { return true }
                case .get:
                    if ops[i].value == current && search(next, state) { return true }
                }
            }
            return false
        }
        return search(0, -1)
    }

    /// Checks every key; returns the first key whose history is not linearizable.
    static func firstViolation(_ history: [HistoryOp]) -> String? {
        let byKey = Dictionary(grouping: history, by: \.key)
        for key in byKey.keys.sorted() where !checkRegister(byKey[key] ?? []) { return key }
        return nil
    }
}
