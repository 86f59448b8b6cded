import KubeAPI
import Testing
@testable import Controllers

@Suite struct ReplicaSetTests {
    func rs(replicas: Int32, minReady: Int32 = 0) -> ReplicaSet {
        var t = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web", "tier": "fe"]), spec: PodSpec(containers: [Container(name: "c", image: "x")]))
        t.metadata?.annotations = ["a": "b"]
        var spec = ReplicaSetSpec(replicas: replicas, selector: LabelSelector(matchLabels: ["app": "web"]), template: t)
        spec.minReadySeconds = minReady
        var meta = ObjectMeta(name: "web-abc", namespace: "default")
        meta.uid = "uid-rs"
        meta.generation = 4
        return ReplicaSet(metadata: meta, spec: spec)
    }
    var ref: OwnerReference { OwnerReference.controller(apiVersion: "apps/v1", kind: "ReplicaSet", rs(replicas: 1).metadata) }

    @Test func createsMissingPodsFromTheTemplate() throws {
        let plan = ReplicaSetReconciler.reconcile(rs(replicas: 3), pods: [], expectationsSatisfied: true, now: Time(seconds: 100))
        #expect(plan.createCount == 3)
        let p = try #require(plan.podTemplate)
        #expect(p.metadata.generateName == "web-abc-")
        #expect(p.metadata.labels == ["app": "web", "tier": "fe"])
        #expect(p.metadata.annotations == ["a": "b"])
        #expect(p.metadata.ownerReferences == [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", uid: "uid-rs",
                                                              controller: true, blockOwnerDeletion: true)])
        #expect(p.metadata.namespace == "default")
        #expect(plan.status.replicas == 0)
        #expect(plan.status.observedGeneration == 4)
    }

    @Test func expectationsHoldBackCreates() {
        let plan = ReplicaSetReconciler.reconcile(rs(replicas: 3), pods: [], expectationsSatisfied: false, now: Time(seconds: 100))
        #expect(plan.createCount == 0)
        #expect(plan.delete.isEmpty)
    }

    @Test func expectationsLifecycle() {
        var e = ControllerExpectations()
        #expect(e.satisfied("k", now: 0))
        e.expectCreations("k", 2, now: 0)
        #expect(!e.satisfied("k", now: 1))
        e.creationObserved("k")
        #expect(!e.satisfied("k", now: 1))
        e.creationObserved("k")
        #expect(e.satisfied("k", now: 1))
        e.expectDeletions("k", podKeys: ["default/a"], now: 10)
        #expect(!e.satisfied("k", now: 11))
        e.deletionObserved("k", podKey: "default/a")
        #expect(e.satisfied("k", now: 11))
        e.expectCreations("k", 1, now: 20)
        #expect(!e.satisfied("k", now: 320))
        #expect(e.satisfied("k", now: 321))  // expired after 5 minutes
    }

    @Test func deletesInKubesRankingOrder() {
        let o = ref
        let pods = [
            readyPod("old-ready", labels: ["app": "web"], owner: o, created: 10, readySince: 20),
            readyPod("unscheduled", labels: ["app": "web"], node: nil, ready: false, owner: o, created: 50, phase: "Pending"),
            readyPod("pending", labels: ["app": "web"], ready: false, owner: o, created: 50, phase: "Pending"),
            readyPod("running-notready", labels: ["app": "web"], ready: false, owner: o, created: 50),
            readyPod("restarty", labels: ["app": "web"], owner: o, created: 10, readySince: 20, restarts: 5),
            readyPod("new-ready", labels: ["app": "web"], owner: o, created: 10, readySince: 990),
        ]
        let plan = ReplicaSetReconciler.reconcile(rs(replicas: 0), pods: pods, expectationsSatisfied: true, now: Time(seconds: 1000))
        #expect(plan.delete.map { $0.metadata.name! } == ["unscheduled", "pending", "running-notready", "new-ready", "restarty", "old-ready"])
        let some = ReplicaSetReconciler.reconcile(rs(replicas: 4), pods: pods, expectationsSatisfied: true, now: Time(seconds: 1000))
        #expect(some.delete.map { $0.metadata.name! } == ["unscheduled", "pending"])
    }

    @Test func rankingPrefersDoubledUpNodesAndDeletionCost() {
        let o = ref
        var cheap = readyPod("cheap", labels: ["app": "web"], node: "n2", owner: o, readySince: 10)
        cheap.metadata.annotations = [PodDeletionRanking.deletionCostAnnotation: "-10"]
        let pods = [
            readyPod("alone", labels: ["app": "web"], node: "n1", owner: o, readySince: 10),
            readyPod("pair-a", labels: ["app": "web"], node: "n3", owner: o, readySince: 10),
            readyPod("pair-b", labels: ["app": "web"], node: "n3", owner: o, readySince: 10),
            cheap,
        ]
        let plan = ReplicaSetReconciler.reconcile(rs(replicas: 1), pods: pods, expectationsSatisfied: true, now: Time(seconds: 1000))
        #expect(plan.delete.first?.metadata.name == "cheap")
        #expect(Set(plan.delete.dropFirst().map { $0.metadata.name! }) == ["pair-a", "pair-b"])
    }

    @Test func readyTimeBucketsAreLogarithmic() {
        let r = PodDeletionRanking(now: Time(seconds: 1000), pods: [], related: [])
        // 100 s and 110 s ago fall in the same power-of-two bucket of nanoseconds; 10 s does not.
        #expect(r.bucket(Time(seconds: 900)) == r.bucket(Time(seconds: 890)))
        #expect(r.bucket(Time(seconds: 990)) < r.bucket(Time(seconds: 900)))
    }

    @Test func adoptsOrphansAndReleasesMismatches() {
        let o = ref
        let otherOwner = OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid: "uid-x", controller: true)
        let pods = [
            readyPod("orphan", labels: ["app": "web"]),
            readyPod("mine-mismatch", labels: ["app": "other"], owner: o),
            readyPod("someone-elses", labels: ["app": "web"], owner: otherOwner),
            readyPod("unrelated", labels: ["app": "other"]),
        ]
        let plan = ReplicaSetReconciler.reconcile(rs(replicas: 1), pods: pods, expectationsSatisfied: true, now: Time(seconds: 1000))
        #expect(plan.adopt.map { $0.metadata.name! } == ["orphan"])
        #expect(plan.adopt.first?.metadata.controllerRef?.uid == "uid-rs")
        #expect(plan.release.map { $0.metadata.name! } == ["mine-mismatch"])
        #expect(plan.release.first?.metadata.ownerReferences?.isEmpty == true)
        #expect(plan.status.replicas == 1)
        #expect(plan.createCount == 0)
    }

    @Test func deletingReplicaSetNeitherAdoptsNorScales() {
        var r = rs(replicas: 3)
        r.metadata.deletionTimestamp = Time(seconds: 1)
        let plan = ReplicaSetReconciler.reconcile(r, pods: [readyPod("orphan", labels: ["app": "web"])], expectationsSatisfied: true,
                                                  now: Time(seconds: 1000))
        #expect(plan.adopt.isEmpty)
        #expect(plan.createCount == 0)
    }

    @Test func statusCountsLabeledReadyAvailable() {
        let o = ref
        let pods = [
            readyPod("a", labels: ["app": "web", "tier": "fe"], owner: o, readySince: 900),
            readyPod("b", labels: ["app": "web"], owner: o, readySince: 995),
            readyPod("c", labels: ["app": "web", "tier": "fe"], ready: false, owner: o),
            readyPod("done", labels: ["app": "web"], owner: o, phase: "Succeeded"),
        ]
        let plan = ReplicaSetReconciler.reconcile(rs(replicas: 3, minReady: 10), pods: pods, expectationsSatisfied: true, now: Time(seconds: 1000))
        #expect(plan.status.replicas == 3)
        #expect(plan.status.fullyLabeledReplicas == 2)
        #expect(plan.status.readyReplicas == 2)
        #expect(plan.status.availableReplicas == 1)  // b is ready for 5 s only
        #expect(plan.createCount == 0)  // the finished pod does not count; 3 active remain
        let all = ReplicaSetReconciler.reconcile(rs(replicas: 2, minReady: 10), pods: Array(pods.prefix(2)), expectationsSatisfied: true,
                                                 now: Time(seconds: 1000))
        #expect(all.requeueAfter == 10)
    }

    @Test func burstIsCapped() {
        let plan = ReplicaSetReconciler.reconcile(rs(replicas: 2000), pods: [], expectationsSatisfied: true, now: Time(seconds: 1))
        #expect(plan.createCount == 500)
    }
}
