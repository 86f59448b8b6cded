// The etcd v3 API over gRPC: the services a Store member serves (KV, Watch, Lease, Cluster,
// Maintenance) and a client of the same API (EtcdClient) that works against a real etcd too.
// The messages come from Proto/*.proto, generated once and committed under Generated/.
