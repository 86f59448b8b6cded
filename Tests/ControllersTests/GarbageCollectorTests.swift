import KubeAPI
import Testing
@testable import Controllers

@Suite struct GarbageCollectorTests {
    func obj(_ kind: String, _ name: String, owners: [(String, String, Bool)] = [], deleting: Bool = false, finalizers: [String] = [],
             namespace: String? = "default") -> GCObject {
        var m = ObjectMeta(name: name, namespace: namespace)
        m.uid = "uid-" + name
        m.ownerReferences = owners.map { OwnerReference(apiVersion: "apps/v1", kind: $0.0, name: $0.1, uid: "uid-" + $0.1, controller: true,
                                                        blockOwnerDeletion: $0.2) }
        if deleting { m.deletionTimestamp = Time(seconds: 1) }
        m.finalizers = finalizers
        return GCObject(apiVersion: kind == "Pod" ? "v1" : "apps/v1", kind: kind, metadata: m)
    }
    let watched: Set<String> = ["Deployment", "ReplicaSet", "Pod", "Service"]

    @Test func backgroundDeletesDependentsOfAGoneOwner() {
        let rs = obj("ReplicaSet", "rs", owners: [("Deployment", "gone", true)])
        let pod = obj("Pod", "p", owners: [("ReplicaSet", "rs", true)])
        let a = GarbageCollectorCore.plan([rs, pod], watchedKinds: watched)
        #expect(a == [.delete(rs, propagation: "Background")])
        // Once the ReplicaSet is gone, its pod goes too.
        #expect(GarbageCollectorCore.plan([pod], watchedKinds: watched) == [.delete(pod, propagation: "Background")])
    }

    @Test func ownerOfAnUnwatchedKindIsNeverTakenAsGone() {
        let pod = obj("Pod", "p", owners: [("CronJob", "cj", true)])
        #expect(GarbageCollectorCore.plan([pod], watchedKinds: watched).isEmpty)
    }

    @Test func uidMismatchIsDangling() {
        // An owner with the same name but a different uid (recreated) does not own the dependent.
        var rs = obj("ReplicaSet", "rs")
        rs.uid = "uid-new"
        let pod = obj("Pod", "p", owners: [("ReplicaSet", "rs", true)])
        #expect(GarbageCollectorCore.plan([rs, pod], watchedKinds: watched) == [.delete(pod, propagation: "Background")])
    }

    @Test func liveOwnerKeepsItsDependentsAndDanglingRefsAreDropped() {
        let rs = obj("ReplicaSet", "rs")
        let pod = obj("Pod", "p", owners: [("ReplicaSet", "rs", true), ("ReplicaSet", "gone", false)])
        #expect(GarbageCollectorCore.plan([rs, pod], watchedKinds: watched) == [.removeOwnerReferences(pod, uids: ["uid-gone"])])
    }

    @Test func foregroundDeletesDependentsFirstThenDropsTheFinalizer() {
        let d = obj("Deployment", "d", deleting: true, finalizers: ["foregroundDeletion"])
        let rs = obj("ReplicaSet", "rs", owners: [("Deployment", "d", true)])
        let pod = obj("Pod", "p", owners: [("ReplicaSet", "rs", true)])
        let a = GarbageCollectorCore.plan([d, rs, pod], watchedKinds: watched)
        // The ReplicaSet has dependents of its own: deleted in the foreground too.
        #expect(a == [.delete(rs, propagation: "Foreground")])
        // While the ReplicaSet is still there (being deleted), the Deployment waits.
        let rsDeleting = obj("ReplicaSet", "rs", owners: [("Deployment", "d", true)], deleting: true, finalizers: ["foregroundDeletion"])
        let b = GarbageCollectorCore.plan([d, rsDeleting, pod], watchedKinds: watched)
        #expect(b == [.delete(pod, propagation: "Background")])
        let c = GarbageCollectorCore.plan([d, rsDeleting], watchedKinds: watched)
        #expect(c == [.removeFinalizer(rsDeleting, "foregroundDeletion")])
        #expect(GarbageCollectorCore.plan([d], watchedKinds: watched) == [.removeFinalizer(d, "foregroundDeletion")])
    }

    @Test func foregroundDoesNotWaitForNonBlockingDependents() {
        let d = obj("Deployment", "d", deleting: true, finalizers: ["foregroundDeletion"])
        let rs = obj("ReplicaSet", "rs", owners: [("Deployment", "d", false)])
        let a = GarbageCollectorCore.plan([d, rs], watchedKinds: watched)
        #expect(a.contains(.removeFinalizer(d, "foregroundDeletion")))
        #expect(a.contains(.delete(rs, propagation: "Background")))
    }

    @Test func orphanRemovesReferencesThenTheFinalizer() {
        let d = obj("Deployment", "d", deleting: true, finalizers: ["orphan"])
        let rs = obj("ReplicaSet", "rs", owners: [("Deployment", "d", true)])
        let a = GarbageCollectorCore.plan([d, rs], watchedKinds: watched)
        #expect(a == [.removeOwnerReferences(rs, uids: ["uid-d"])])
        let orphaned = obj("ReplicaSet", "rs")
        #expect(GarbageCollectorCore.plan([d, orphaned], watchedKinds: watched) == [.removeFinalizer(d, "orphan")])
    }

    @Test func ownerInAnotherNamespaceDoesNotCount() {
        let rs = obj("ReplicaSet", "rs", namespace: "other")
        let pod = obj("Pod", "p", owners: [("ReplicaSet", "rs", true)])
        #expect(GarbageCollectorCore.plan([rs, pod], watchedKinds: watched) == [.delete(pod, propagation: "Background")])
    }
}

@Suite struct NamespaceCleanupTests {
    func ns(terminating: Bool, finalizers: [String]? = ["kubernetes"]) -> Namespace {
        var n = Namespace(metadata: ObjectMeta(name: "demo"), spec: NamespaceSpec(finalizers: finalizers),
                          status: NamespaceStatus(phase: terminating ? "Terminating" : "Active"))
        if terminating { n.metadata.deletionTimestamp = Time(seconds: 1) }
        return n
    }

    @Test func activeNamespaceIsLeftAlone() {
        #expect(NamespaceCleanup.plan(ns(terminating: false), remaining: ["pods": 3]).isEmpty)
    }

    @Test func deletesWhatRemainsThenFinalizes() {
        let a = NamespaceCleanup.plan(ns(terminating: true), remaining: ["pods": 2, "services": 1, "configmaps": 0])
        #expect(a == [.deleteAll(resource: "pods"), .deleteAll(resource: "services")])
        let b = NamespaceCleanup.plan(ns(terminating: true, finalizers: ["kubernetes", "other"]), remaining: ["pods": 0])
        guard case .finalize(let n) = b.first else { Issue.record("no finalize"); return }
        #expect(n.spec?.finalizers == ["other"])
        #expect(NamespaceCleanup.plan(ns(terminating: true, finalizers: []), remaining: [:]).isEmpty)
    }
}

@Suite struct NodeCIDRAllocatorTests {
    @Test func allocatesSequentialSlash24s() throws {
        var a = try NodeCIDRAllocator()
        #expect(a.capacity == 256)
        #expect(try a.allocate(node: "n1") == "10.244.0.0/24")
        #expect(try a.allocate(node: "n2") == "10.244.1.0/24")
        #expect(try a.allocate(node: "n1") == "10.244.0.0/24")  // idempotent
        a.release(node: "n1")
        #expect(a.podCIDR(of: "n1") == nil)
        #expect(try a.allocate(node: "n3") == "10.244.2.0/24")
    }

    @Test func rebuildFromExistingNodesAvoidsDoubleAllocation() throws {
        var a = try NodeCIDRAllocator()
        try a.occupy(node: "old1", podCIDR: "10.244.0.0/24")
        try a.occupy(node: "old2", podCIDR: "10.244.1.0/24")
        #expect(try a.allocate(node: "new") == "10.244.2.0/24")
        #expect(throws: NodeCIDRAllocator.AllocationError.outsideClusterCIDR(node: "x", podCIDR: "10.99.0.0/24")) {
            try a.occupy(node: "x", podCIDR: "10.99.0.0/24")
        }
    }

    @Test func exhaustionAndReuse() throws {
        var a = try NodeCIDRAllocator(clusterCIDR: "10.0.0.0/30", nodeMaskSize: 31)
        #expect(try a.allocate(node: "a") == "10.0.0.0/31")
        #expect(try a.allocate(node: "b") == "10.0.0.2/31")
        #expect(throws: NodeCIDRAllocator.AllocationError.exhausted(node: "c", cidr: "10.0.0.0/30")) { try a.allocate(node: "c") }
        a.release(node: "a")
        #expect(try a.allocate(node: "c") == "10.0.0.0/31")
        #expect(throws: NodeCIDRAllocator.AllocationError.invalidCIDR("bogus")) { try NodeCIDRAllocator(clusterCIDR: "bogus") }
    }
}
