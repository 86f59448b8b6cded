// What callers and the transport hand to the member's loop thread.

/// What applying a proposal produced.
enum AppliedResult: Sendable {
    /// The command's result and the store revision right after it.
    case store(StoreResult, revision: Int64)
    /// A member registration or membership change took effect.
    case membership
}

struct Proposal: Sendable {
    var requestID: UInt64
    var data: [UInt8]
    /// Monotonic ms after which the caller is told `.timeout`.
    var deadline: Int64
    var complete: @Sendable (Result<AppliedResult, any Error>) -> Void
}

struct ReadRequest: Sendable {
    var deadline: Int64
    /// Runs on the loop thread once the member has applied the read index.
    /// Runs on the loop thread once the member has applied the read index, with the store and the
    /// wall clock in ms (for lease time-to-live).
    var serve: @Sendable (MVCCStore, Int64) -> Void
    var fail: @Sendable (any Error) -> Void
}

struct ConfChangeRequest: Sendable {
    var change: RaftConfChange
    var deadline: Int64
    var complete: @Sendable (Result<AppliedResult, any Error>) -> Void
}

struct WatchSubscription: Sendable {
    var token: UInt64
    var request: WatchCreateRequest
    var continuation: AsyncThrowingStream<WatchResponse, any Error>.Continuation
}

enum MemberInput: Sendable {
    case propose(Proposal)
    case read(ReadRequest)
    case confChange(ConfChangeRequest)
    case peerMessage(RaftMessage)
    case watch(WatchSubscription)
    case cancelWatch(token: UInt64)
    /// Runs on the loop thread with the loop's state (status, member list, leadership transfer).
    case run(@Sendable (MemberLoop) -> Void)
    case unreachable(RaftNodeID)
    case snapshotStatus(RaftNodeID, failed: Bool)
    case stop(transferLeadership: Bool)
    /// A peer refused us because we were removed from the cluster (we may never apply our own removal).
    case removedByPeer(RaftNodeID)
}

/// The loop's outgoing side: a transport to peers (absent in a member that has none to talk to).
protocol RaftTransport: AnyObject {
    func send(_ messages: [RaftMessage])
    /// The current member list; the transport connects to new members, drops removed ones and refuses
    /// connections from removed ones.
    func updatePeers(_ membership: Membership, self id: RaftNodeID)
    func stop()
}
