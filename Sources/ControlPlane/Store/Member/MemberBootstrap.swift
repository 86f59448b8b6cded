// Start-up: decide who this member is (identity file on restart, flags on first start), open the WAL
// and snapshots, and rebuild the applied state and the Raft core from them.

struct MemberBootstrap {
    var identity: MemberDataDir.Identity
    var storage: DurableRaftStorage
    var core: RaftCore
    var watchable: WatchableStore
    var membership: Membership
    var appliedIndex: UInt64

    static func prepare(_ config: StoreMemberConfig) throws -> MemberBootstrap {
        let dir = MemberDataDir(root: config.dataDir)
        // On restart the flags may name members that came and went since; they only serve the check below.
        let implied = dir.exists ? ((try? impliedIdentity(config)) ?? nil) : try impliedIdentity(config)
        let identity: MemberDataDir.Identity
        var fresh = false
        if dir.exists {
            identity = try dir.read()
            // The flags are otherwise ignored on restart, as etcd does (they may list members added since), but
            // a data directory written by another member (other peer URLs or cluster token, hence another
            // member id) is refused rather than silently served. A cluster-id mismatch with peers is caught
            // by the transport's handshake.
            if let implied, !identity.joined, implied.memberID != identity.memberID {
                throw StoreMemberError.identityMismatch(
                    "\(config.dataDir) holds member \(memberIDString(identity.memberID)) of cluster "
                    + "\(memberIDString(identity.clusterID)), but the flags describe member "
                    + "\(memberIDString(implied.memberID)) of cluster \(memberIDString(implied.clusterID))")
            }
        } else if config.initialClusterState == .existing {
            identity = try joinIdentity(config)
            fresh = true
        } else {
            guard let implied else {
                throw StoreMemberError.invalidConfig(
                    "no data in \(config.dataDir) and no initial cluster naming \"\(config.name)\" to start one")
            }
            identity = implied
            fresh = true
        }
        let metadata = WALMetadata(clusterID: identity.clusterID, memberID: identity.memberID)
        let options = WALOptions(segmentSize: config.walSegmentBytes, preallocate: true)
        let storage = try DurableRaftStorage.open(directory: dir.memberDir, metadata: metadata, options: options)
        do {
            if fresh { try dir.write(identity) }
            var watchable = WatchableStore()
            var membership = identity.seed
            var applied: UInt64 = 0
            let snap = storage.memory.currentSnapshot
            if !snap.isEmpty {
                let (members, storeBytes) = try MemberSnapshotData.decode(snap.data)
                try watchable.restore(snapshot: storeBytes)
                membership = members
                applied = snap.metadata.index
            }
            var raft = RaftConfig(id: identity.memberID, randomSeed: identity.memberID ^ UInt64(bitPattern: wallMilliseconds()))
            raft.electionTick = config.electionTicks
            raft.heartbeatTick = config.heartbeatTicks
            raft.applied = applied
            let bootstrapping = storage.lastIndex() == 0 && storage.initialState().hardState.isEmpty
                && config.initialClusterState == .new
            let peers = bootstrapping ? identity.seed.voters.sorted() : []
            let core = try RaftCore(config: raft, storage: storage, peers: peers)
            return MemberBootstrap(identity: identity, storage: storage, core: core, watchable: watchable,
                                   membership: membership, appliedIndex: applied)
        } catch {
            storage.close()
            throw error
        }
    }

    /// A member joining an existing cluster asks the members listed in --initial-cluster for the cluster
    /// id and member list, and finds itself in it by its peer URLs (it must have been added first).
    static func joinIdentity(_ config: StoreMemberConfig) throws -> MemberDataDir.Identity {
        let own = Set(config.ownPeerURLs)
        guard !own.isEmpty else {
            throw StoreMemberError.invalidConfig("joining an existing cluster needs this member's peer URLs")
        }
        let others = config.initialCluster.filter { $0.name != config.name }.flatMap(\.peerURLs).filter { !own.contains($0) }
        guard !others.isEmpty else {
            throw StoreMemberError.invalidConfig("--initial-cluster names no existing member to join through")
        }
        let (clusterID, membership) = try PeerTransport.queryCluster(urls: others)
        guard let me = membership.members.first(where: { !own.isDisjoint(with: $0.peerURLs) }) else {
            throw StoreMemberError.peerRejected("cluster \(memberIDString(clusterID)) has no member with peer URLs "
                + "\(own.sorted()); add this member (member add) before starting it")
        }
        return MemberDataDir.Identity(clusterID: clusterID, memberID: me.id, seed: membership, joined: true)
    }

    /// The identity a new cluster started with these flags would have; nil when the flags do not
    /// describe one (no initial cluster, or joining an existing cluster, whose ids come from its peers).
    static func impliedIdentity(_ config: StoreMemberConfig) throws -> MemberDataDir.Identity? {
        guard !config.initialCluster.isEmpty, config.initialClusterState == .new else { return nil }
        guard let own = config.initialCluster.first(where: { $0.name == config.name }) else {
            throw StoreMemberError.invalidConfig("--initial-cluster has no entry for this member's name \"\(config.name)\"")
        }
        var seed = Membership()
        var ids: [UInt64] = []
        for entry in config.initialCluster {
            let id = MemberIdentity.memberID(peerURLs: entry.peerURLs, clusterToken: config.initialClusterToken)
            guard !ids.contains(id) else {
                throw StoreMemberError.invalidConfig("--initial-cluster lists the peer URLs \(entry.peerURLs) twice")
            }
            ids.append(id)
            // Client URLs are not in the seed: each member publishes its own through the log once it runs,
            // so every member learns them the same way.
            seed.register(MemberInfo(id: id, name: entry.name, peerURLs: entry.peerURLs))
            seed.voters.insert(id)
        }
        let memberID = MemberIdentity.memberID(peerURLs: own.peerURLs, clusterToken: config.initialClusterToken)
        return MemberDataDir.Identity(clusterID: MemberIdentity.clusterID(memberIDs: ids), memberID: memberID, seed: seed)
    }
}
