import KubeAPI

/// Where leader election reads and writes its Lease: the API (KubeAPIClient) in the product.
public protocol LeaseStore: Sendable {
    /// nil when the Lease does not exist.
    func getLease(namespace: String, name: String) async throws(KubeClientError) -> Lease?
    func createLease(_ lease: Lease) async throws(KubeClientError) -> Lease
    /// Fails with `.conflict` if `lease.metadata.resourceVersion` is stale.
    func updateLease(_ lease: Lease) async throws(KubeClientError) -> Lease
}

extension KubeAPIClient: LeaseStore {
    public func getLease(namespace: String, name: String) async throws(KubeClientError) -> Lease? {
        do {
            return try await get(Lease.self, name: name, namespace: namespace)
        } catch where error.isNotFound {
            return nil
        }
    }

    public func createLease(_ lease: Lease) async throws(KubeClientError) -> Lease { try await create(lease) }

    public func updateLease(_ lease: Lease) async throws(KubeClientError) -> Lease { try await update(lease) }
}
