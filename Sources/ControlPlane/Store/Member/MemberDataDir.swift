// The member's identity file, `member/identity`: cluster id, member id and the member list it was
// bootstrapped with, written once on first start (atomically: temporary file, fsync, rename). A restart
// reads it instead of the flags, as etcd ignores --initial-cluster once a data directory exists.

import Glibc

struct MemberDataDir {
    let root: String
    var memberDir: String { WALFS.join(root, "member") }
    var identityPath: String { WALFS.join(memberDir, "identity") }

    static let magic: [UInt8] = Array("SWMID001".utf8)

    struct Identity: Hashable {
        var clusterID: UInt64
        var memberID: UInt64
        /// The member list before the first log entry (initial cluster, or what a joining member was told).
        var seed: Membership
        /// Added at run time and joined an existing cluster: its id is not derivable from the flags.
        var joined: Bool = false
    }

    var exists: Bool { WALFS.exists(identityPath) }

    func read() throws -> Identity {
        let bytes = try WALFS.readAll(identityPath)
        func bad(_ why: String) -> StoreMemberError { .dataDir("\(identityPath): \(why)") }
        guard bytes.count >= 12, Array(bytes[0..<8]) == Self.magic else { throw bad("not an identity file") }
        var r = ByteReader(bytes[8...])
        guard let crc = r.u32() else { throw bad("short") }
        let body = Array(bytes[12...])
        guard CRC32C.checksum(body) == crc else { throw bad("checksum mismatch") }
        var b = ByteReader(body)
        guard let cluster = b.u64(), let member = b.u64() else { throw bad("short") }
        do {
            let seed = try Membership(from: &b)
            let joined = try b.bool()
            return Identity(clusterID: cluster, memberID: member, seed: seed, joined: joined)
        } catch {
            throw bad("malformed member list: \(error)")
        }
    }

    func write(_ identity: Identity) throws {
        try WALFS.makeDirectory(memberDir)
        var body = ByteWriter()
        body.u64(identity.clusterID)
        body.u64(identity.memberID)
        identity.seed.encode(to: &body)
        body.bool(identity.joined)
        var out = ByteWriter()
        out.raw(Self.magic)
        out.u32(CRC32C.checksum(body.bytes))
        out.raw(body.bytes)
        let temp = identityPath + ".tmp"
        let fd = try WALFS.open(temp, O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try WALFS.writeAll(fd, out.bytes, at: 0, path: temp)
            try WALFS.sync(fd, path: temp)
            WALFS.close(fd)
        } catch {
            WALFS.close(fd)
            throw error
        }
        try WALFS.rename(temp, identityPath)
        try WALFS.syncDirectory(memberDir)
    }
}
