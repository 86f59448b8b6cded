// Lease listing for etcd's LeaseLeases (etcdctl lease list), read linearizably like the other reads.

extension StoreMember {
    /// Ids of the live leases, ascending.
    public func leaseIDs() async throws -> [Int64] {
        try await linearizableRead { store, _ in store.leaseIDs }
    }
}
