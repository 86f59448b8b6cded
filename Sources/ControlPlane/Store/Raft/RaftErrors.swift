// Typed errors of the Raft core and its storage.

public enum RaftError: Error, Sendable, Hashable {
    /// The requested index lies before the first retained entry (it was compacted into a snapshot).
    case compacted
    /// The requested index lies beyond the last entry.
    case unavailable
    /// Storage cannot produce a snapshot right now (e.g. a driver building one asynchronously).
    /// The leader skips the follower and retries on a later heartbeat response.
    case snapshotTemporarilyUnavailable
    /// A snapshot older than the one already in storage was offered.
    case snapshotOutOfDate
    /// The proposal cannot be accepted now: no known leader, a leadership transfer in progress,
    /// or this node is not in the configuration. The caller may retry.
    case proposalDropped
    /// Another membership change is proposed but not yet applied; only one may be in flight.
    case confChangeInProgress
    /// The membership change is not valid against the current configuration.
    case invalidConfChange(String)
    /// The configuration handed to `RaftCore.init` is inconsistent.
    case invalidConfig(String)
    /// An encoded value (for example a membership change) could not be decoded.
    case malformed(String)
}
