import Logging

/// What a control loop that runs only while it holds a Lease configures: kube's --leader-elect and
/// --leader-elect-* flags. `lead(client:_:)` is the one way such a loop runs its terms.
public protocol LeaderElectedComponent: Sendable {
    var leaderElection: Bool { get }
    var leaseNamespace: String { get }
    var leaseName: String { get }
    var identity: String { get }
    var leaseDuration: Duration { get }
    var renewDeadline: Duration { get }
    var retryPeriod: Duration { get }
    var logger: Logger { get }
}

extension LeaderElectedComponent {
    /// Runs `term` each time this process wins the Lease (again after losing it), until cancelled;
    /// without leader election, runs it once.
    public func lead(client: some LeaseStore, _ term: @escaping @Sendable () async -> Void) async {
        guard leaderElection else {
            await term()
            return
        }
        let elector = LeaderElector(store: client, config: LeaderElector.Config(
            namespace: leaseNamespace, name: leaseName, identity: identity,
            leaseDuration: leaseDuration, renewDeadline: renewDeadline, retryPeriod: retryPeriod),
            logger: logger)
        await elector.campaign(term)
    }
}
