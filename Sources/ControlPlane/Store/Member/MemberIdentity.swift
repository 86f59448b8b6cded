// Member and cluster ids, derived as etcd derives them (server/etcdserver/api/membership), so the ids
// etcdctl shows look like etcd's and a cluster started with the same flags gets the same ids:
// - member id: the first 8 bytes (big-endian) of SHA-1(sorted peer URLs joined + cluster token
//   [+ the Unix time in seconds, decimal, for members added at run time]);
// - cluster id: the first 8 bytes of SHA-1(the sorted member ids, each as 8 big-endian bytes).

public enum MemberIdentity {
    public static func memberID(peerURLs: [String], clusterToken: String, addedAtUnixSeconds: Int64? = nil) -> UInt64 {
        var bytes = Array(peerURLs.sorted().joined().utf8)
        bytes += Array(clusterToken.utf8)
        if let now = addedAtUnixSeconds { bytes += Array(String(now).utf8) }
        return firstWord(SHA1.digest(bytes))
    }

    public static func clusterID(memberIDs: [UInt64]) -> UInt64 {
        var bytes: [UInt8] = []
        for id in memberIDs.sorted() {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: id >> UInt64(shift))) }
        }
        return firstWord(SHA1.digest(bytes))
    }

    static func firstWord(_ digest: [UInt8]) -> UInt64 {
        digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// etcd prints ids as lowercase hex without padding.
public func memberIDString(_ id: UInt64) -> String { String(id, radix: 16) }
