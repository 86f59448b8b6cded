// Leadership transfer: the leader brings the transferee up to date, then tells it to campaign at once.

extension RaftCore {
    mutating func handleTransferLeader(_ m: RaftMessage) {
        let transferee = m.index
        // Learners cannot lead; unknown nodes cannot be caught up.
        guard let pr = tracker[transferee], !pr.isLearner else { return }
        if leadTransferee != .none {
            if leadTransferee == transferee { return }
            leadTransferee = .none
        }
        guard transferee != id else { return }
        // The transfer is time-boxed to one election timeout (see tickHeartbeat).
        electionElapsed = 0
        leadTransferee = transferee
        if pr.match == log.lastIndex {
            sendTimeoutNow(to: transferee)
        } else {
            sendAppend(to: transferee)
        }
    }

    mutating func sendTimeoutNow(to peer: RaftNodeID) {
        send(RaftMessage(type: .timeoutNow, from: id, to: peer, term: term))
    }
}
