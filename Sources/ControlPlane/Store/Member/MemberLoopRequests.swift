// The loop's request bookkeeping: proposals waiting to commit, linearizable reads (ReadIndex, batched:
// every read that arrives while one round is out shares the next round), and membership changes.

extension MemberLoop {
    // MARK: Proposals

    func submit(_ p: Proposal) {
        guard !stopRequested else {
            p.complete(.failure(KeyValueClientError.unavailable("member is stopping")))
            return
        }
        do {
            try core.propose(p.data)
            proposalCount += 1
            inflight[p.requestID] = p
        } catch RaftError.proposalDropped {
            // No leader (or a transfer in progress): retried when a leader is known, until the deadline.
            waitingForLeader.append(p)
        } catch {
            p.complete(.failure(KeyValueClientError.rejected("\(error)")))
        }
    }

    func submitConfChange(_ c: ConfChangeRequest) {
        do {
            try core.proposeConfChange(c.change)
            confInflight[c.change] = c
        } catch RaftError.proposalDropped {
            confWaiting.append(c)
        } catch RaftError.invalidConfChange(let why) {
            c.complete(.failure(KeyValueClientError.rejected("membership change: \(why)")))
        } catch {
            c.complete(.failure(KeyValueClientError.rejected("membership change: \(error)")))
        }
    }

    // MARK: Reads

    /// Starts one ReadIndex round for every queued read, unless a round is already out.
    func issueReadIndex() {
        guard readBatch == nil, !readQueue.isEmpty, core.leader != .none else { return }
        var ctx = ByteWriter()
        ctx.u64(nextReadContext)
        nextReadContext += 1
        do {
            try core.readIndex(context: ctx.bytes)
            readBatch = (ctx.bytes, monotonicMilliseconds(), readQueue)
            readQueue = []
        } catch {
            // No leader: the reads stay queued until one is known or they time out.
        }
    }

    func readIndexConfirmed(_ state: RaftReadState) {
        guard let batch = readBatch, batch.context == state.context else { return }
        readBatch = nil
        readsAwaitingApply.append((state.index, batch.reads))
    }

    /// Serves reads whose index is applied, and starts the next round for reads that queued meanwhile.
    func serveReads() {
        if !readsAwaitingApply.isEmpty {
            let now = wallMilliseconds()
            var still: [(index: UInt64, reads: [ReadRequest])] = []
            for pending in readsAwaitingApply {
                if pending.index <= appliedIndex {
                    for r in pending.reads { r.serve(watchable.store, now) }
                } else {
                    still.append(pending)
                }
            }
            readsAwaitingApply = still
        }
        issueReadIndex()
        if core.hasReady { try? handleReadiesFromReads() }
    }

    /// A read round on a single voter completes inside `readIndex`; its Ready must be handled now,
    /// not at the next tick.
    private func handleReadiesFromReads() throws {
        guard readBatch != nil else { return }
        try handleReadies()
    }
}

// MARK: Watches

/// One client's watch: a bounded stream. A watcher too slow to take its responses is ended with an
/// error (etcd cancels slow watchers; clients re-watch from their last revision) rather than holding up
/// the apply loop or buffering without bound.
struct WatchSink {
    var token: UInt64
    var continuation: AsyncThrowingStream<WatchResponse, any Error>.Continuation
    var progressNotify: Bool
}

extension MemberLoop {
    func addWatch(_ w: WatchSubscription) {
        guard !stopRequested else {
            w.continuation.finish(throwing: KeyValueClientError.unavailable("member is stopping"))
            return
        }
        let r = w.request
        let id = watchable.watch(key: r.key, end: r.end, startRevision: r.startRevision, prevKV: r.prevKV,
                                 filters: r.filters)
        watchSinks[id] = WatchSink(token: w.token, continuation: w.continuation, progressNotify: r.progressNotify)
        watchByToken[w.token] = id
        deliverWatches()
    }

    func cancelWatch(token: UInt64) {
        guard let id = watchByToken.removeValue(forKey: token) else { return }
        watchable.cancel(id)
        watchSinks[id] = nil
    }

    func progressNotify() {
        guard watchSinks.values.contains(where: \.progressNotify) else { return }
        watchable.requestProgress()
        deliverWatches()
    }

    /// Hands drained responses to their streams. Catch-up from history is chunked so one watcher far in
    /// the past does not stall the loop; the rest follows on the next iterations.
    func deliverWatches() {
        var rounds = 0
        while !watchSinks.isEmpty && rounds < 16 {
            rounds += 1
            deliver(watchable.drain(maxEvents: 1000))
            if watchSinks.keys.allSatisfy({ watchable.isSynced($0) != false }) { break }
        }
    }

    private func deliver(_ responses: [WatchResponse]) {
        for response in responses {
            guard let sink = watchSinks[response.watchID] else { continue }
            if response.canceled {
                end(response.watchID, sink, MVCCError.compacted(response.compactRevision))
                continue
            }
            // Progress notifications go only to the watches that asked for them.
            if response.events.isEmpty && !sink.progressNotify { continue }
            switch sink.continuation.yield(response) {
            case .enqueued: break
            case .dropped:
                end(response.watchID, sink, KeyValueClientError.unavailable(
                    "watch fell more than \(config.watchBufferLimit) responses behind; watch again from revision \(response.revision)"))
            case .terminated:
                cancelWatch(token: sink.token)
            @unknown default: break
            }
        }
    }

    private func end(_ id: Int64, _ sink: WatchSink, _ error: any Error) {
        watchable.cancel(id)
        watchSinks[id] = nil
        watchByToken[sink.token] = nil
        sink.continuation.finish(throwing: error)
    }
}
