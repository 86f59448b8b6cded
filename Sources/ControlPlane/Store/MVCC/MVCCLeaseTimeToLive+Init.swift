// A public memberwise init, so that clients outside the module (EtcdAPI's EtcdClient) can build the
// answer a remote store gave.
extension LeaseTimeToLive {
    public init(id: Int64, remainingTTL ttl: Int64, grantedTTL: Int64, keys: [[UInt8]]) {
        self.id = id
        self.ttl = ttl
        self.grantedTTL = grantedTTL
        self.keys = keys
    }
}
