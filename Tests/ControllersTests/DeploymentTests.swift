import KubeAPI
import Testing
@testable import Controllers

@Suite struct DeploymentRolloutTests {
    func rollOutFresh(_ sim: inout ClusterSimulation, steps: Int = 10) {
        for _ in 0..<steps { sim.step() }
    }

    @Test func freshDeploymentCreatesOneReplicaSetAndBecomesAvailable() throws {
        var sim = ClusterSimulation(deployment())
        sim.step()
        #expect(sim.replicaSets.count == 1)
        let rs = try #require(sim.replicaSets.first)
        let hash = try #require(rs.metadata.labels?[PodTemplateHash.label])
        #expect(rs.metadata.name == "web-" + hash)
        #expect(rs.spec?.selector.matchLabels?[PodTemplateHash.label] == hash)
        #expect(rs.spec?.template?.metadata?.labels?["app"] == "web")
        #expect(rs.metadata.annotations?[DeploymentAnnotations.revision] == "1")
        #expect(rs.metadata.annotations?[DeploymentAnnotations.desiredReplicas] == "3")
        #expect(rs.metadata.annotations?[DeploymentAnnotations.maxReplicas] == "4")
        #expect(rs.metadata.controllerRef?.uid == "uid-deploy")
        #expect(rs.metadata.controllerRef?.blockOwnerDeletion == true)
        #expect(sim.deployment.metadata.annotations?[DeploymentAnnotations.revision] == "1")
        #expect(sim.deployment.status?.condition("Progressing")?.reason == "NewReplicaSetCreated")
        #expect(sim.deployment.status?.condition("Progressing")?.message == "Created new replica set \"\(rs.metadata.name!)\"")
        rollOutFresh(&sim)
        let s = try #require(sim.deployment.status)
        #expect(s.replicas == 3)
        #expect(s.updatedReplicas == 3)
        #expect(s.readyReplicas == 3)
        #expect(s.availableReplicas == 3)
        #expect(s.unavailableReplicas == 0)
        #expect(s.observedGeneration == 1)
        #expect(s.condition("Available")?.status == "True")
        #expect(s.condition("Available")?.reason == "MinimumReplicasAvailable")
        #expect(s.condition("Progressing")?.reason == "NewReplicaSetAvailable")
        #expect(s.condition("Progressing")?.message == "ReplicaSet \"\(rs.metadata.name!)\" has successfully progressed.")
        #expect(sim.pods.count == 3)
        #expect(sim.pods.allSatisfy { $0.metadata.labels?[PodTemplateHash.label] == hash })
    }

    func rollingUpdate(replicas: Int32, surge: IntOrString?, unavailable: IntOrString?, readyAfter: Int64 = 1) throws {
        let strat = DeploymentStrategy(type: "RollingUpdate", rollingUpdate: RollingUpdateDeployment(maxUnavailable: unavailable, maxSurge: surge))
        var sim = ClusterSimulation(deployment(replicas: replicas, strategy: strat))
        rollOutFresh(&sim, steps: 8)
        #expect(sim.availablePods == Int(replicas))
        let (maxSurge, maxUnavail) = DeploymentSettings.resolveFenceposts(surge: surge ?? "25%", unavailable: unavailable ?? "25%", desired: replicas)
        setImage(&sim.deployment, "nginx:2")
        sim.readyAfter = readyAfter
        var steps = 0
        while steps < 200 {
            sim.step()
            steps += 1
            // The bounds hold at every step.
            #expect(sim.totalSpecReplicas <= replicas + maxSurge, "step \(steps): \(sim.totalSpecReplicas) pods wanted")
            #expect(sim.pods.count <= Int(replicas + maxSurge), "step \(steps): \(sim.pods.count) pods")
            #expect(sim.availablePods >= Int(replicas - maxUnavail), "step \(steps): \(sim.availablePods) available")
            let s = sim.deployment.status
            if s?.updatedReplicas == replicas, s?.replicas == replicas, s?.availableReplicas == replicas,
               s?.condition("Progressing")?.reason == "NewReplicaSetAvailable" { break }
        }
        #expect(steps < 200, "rollout did not finish")
        let new = try #require(sim.newRS)
        #expect(new.spec?.replicas == replicas)
        #expect(new.metadata.annotations?[DeploymentAnnotations.revision] == "2")
        #expect(sim.deployment.metadata.annotations?[DeploymentAnnotations.revision] == "2")
        #expect(sim.replicaSets.count == 2)
        #expect(sim.replicaSets.first { $0.metadata.name != new.metadata.name }?.spec?.replicas == 0)
        #expect(sim.pods.allSatisfy { $0.spec?.containers[0].image == "nginx:2" })
        #expect(sim.deployment.status?.observedGeneration == 2)
    }

    @Test func rollingUpdateDefaults() throws { try rollingUpdate(replicas: 4, surge: nil, unavailable: nil) }
    @Test func rollingUpdateSurgeOnly() throws { try rollingUpdate(replicas: 5, surge: 2, unavailable: 0) }
    @Test func rollingUpdateUnavailableOnly() throws { try rollingUpdate(replicas: 5, surge: 0, unavailable: 2) }
    @Test func rollingUpdatePercentagesRoundAsKube() throws { try rollingUpdate(replicas: 10, surge: "15%", unavailable: "15%") }
    @Test func rollingUpdateSlowPods() throws { try rollingUpdate(replicas: 3, surge: 1, unavailable: 0, readyAfter: 3) }
    @Test func rollingUpdateOneReplica() throws { try rollingUpdate(replicas: 1, surge: nil, unavailable: nil) }

    @Test func fencepostRounding() {
        // surge rounds up, unavailable down; both zero forces unavailable 1.
        #expect(DeploymentSettings.resolveFenceposts(surge: "25%", unavailable: "25%", desired: 3) == (1, 0))
        #expect(DeploymentSettings.resolveFenceposts(surge: "15%", unavailable: "15%", desired: 10) == (2, 1))
        #expect(DeploymentSettings.resolveFenceposts(surge: 0, unavailable: 0, desired: 10) == (0, 1))
        #expect(DeploymentSettings.resolveFenceposts(surge: "0%", unavailable: "0%", desired: 10) == (0, 1))
    }

    @Test func recreateScalesOldToZeroBeforeCreatingNew() throws {
        var sim = ClusterSimulation(deployment(replicas: 3, strategy: DeploymentStrategy(type: "Recreate")))
        rollOutFresh(&sim, steps: 6)
        #expect(sim.availablePods == 3)
        setImage(&sim.deployment, "nginx:2")
        var sawNoPods = false
        for _ in 0..<20 {
            sim.step()
            let images = Set(sim.pods.compactMap { $0.spec?.containers[0].image })
            // Never old and new pods at the same time.
            #expect(images.count <= 1)
            if sim.pods.isEmpty { sawNoPods = true }
        }
        #expect(sawNoPods)
        #expect(sim.pods.count == 3)
        #expect(sim.pods.allSatisfy { $0.spec?.containers[0].image == "nginx:2" })
        #expect(sim.deployment.status?.condition("Progressing")?.reason == "NewReplicaSetAvailable")
    }

    @Test func rollbackReusesTheOldReplicaSetWithANewRevision() throws {
        var sim = ClusterSimulation(deployment(replicas: 2))
        rollOutFresh(&sim, steps: 6)
        let first = try #require(sim.newRS)
        setImage(&sim.deployment, "nginx:2")
        rollOutFresh(&sim, steps: 12)
        #expect(sim.replicaSets.count == 2)
        // `kubectl rollout undo`: the client copies revision 1's template (minus the hash label) back.
        var template = try #require(first.spec?.template)
        template.metadata?.labels?[PodTemplateHash.label] = nil
        sim.deployment.spec?.template = template
        sim.deployment.metadata.generation = 3
        rollOutFresh(&sim, steps: 12)
        #expect(sim.replicaSets.count == 2)
        let back = try #require(sim.newRS)
        #expect(back.metadata.name == first.metadata.name)
        #expect(back.metadata.annotations?[DeploymentAnnotations.revision] == "3")
        #expect(back.metadata.annotations?[DeploymentAnnotations.revisionHistory] == "1")
        #expect(sim.deployment.metadata.annotations?[DeploymentAnnotations.revision] == "3")
        #expect(sim.pods.allSatisfy { $0.spec?.containers[0].image == "nginx:1" })
        #expect(sim.deployment.status?.availableReplicas == 2)
    }

    @Test func pausedDeploymentDoesNotRollOutButScales() throws {
        var sim = ClusterSimulation(deployment(replicas: 2))
        rollOutFresh(&sim, steps: 6)
        sim.deployment.spec?.paused = true
        setImage(&sim.deployment, "nginx:2")
        rollOutFresh(&sim, steps: 4)
        #expect(sim.replicaSets.count == 1)
        #expect(sim.deployment.status?.condition("Progressing")?.reason == "DeploymentPaused")
        #expect(sim.deployment.status?.condition("Progressing")?.status == "Unknown")
        sim.deployment.spec?.replicas = 4
        rollOutFresh(&sim, steps: 4)
        #expect(sim.pods.count == 4)
        #expect(sim.pods.allSatisfy { $0.spec?.containers[0].image == "nginx:1" })
        sim.deployment.spec?.paused = false
        sim.step()
        #expect(sim.deployment.status?.condition("Progressing")?.reason != "DeploymentPaused")
        rollOutFresh(&sim, steps: 20)
        #expect(sim.pods.count == 4)
        #expect(sim.pods.allSatisfy { $0.spec?.containers[0].image == "nginx:2" })
    }

    @Test func progressDeadlineExceeded() throws {
        var d = deployment(replicas: 2)
        d.spec?.progressDeadlineSeconds = 30
        var sim = ClusterSimulation(d)
        sim.readyAfter = nil  // pods never become ready
        sim.step()
        #expect(sim.lastDeploymentPlan.requeueAfter != nil)
        for _ in 0..<25 { sim.step() }
        #expect(sim.deployment.status?.condition("Progressing")?.reason != "ProgressDeadlineExceeded")
        for _ in 0..<10 { sim.step() }
        let c = try #require(sim.deployment.status?.condition("Progressing"))
        #expect(c.reason == "ProgressDeadlineExceeded")
        #expect(c.status == "False")
        #expect(c.message == "ReplicaSet \"\(sim.newRS!.metadata.name!)\" has timed out progressing.")
        #expect(sim.deployment.status?.condition("Available")?.reason == "MinimumReplicasUnavailable")
    }

    @Test func progressDeadlineStillRunsWhenTheNewReplicaSetConditionWasLost() throws {
        var d = deployment(replicas: 2)
        d.spec?.progressDeadlineSeconds = 30
        var sim = ClusterSimulation(d)
        rollOutFresh(&sim)
        let finished = try #require(sim.deployment.status)
        #expect(finished.condition("Progressing")?.reason == "NewReplicaSetAvailable")
        sim.readyAfter = nil
        setImage(&sim.deployment, "nginx:broken")
        sim.step()
        sim.step()
        #expect(sim.replicaSets.count == 2)
        // A stale condition written back over NewReplicaSetCreated (a lost update race on a busy server),
        // with counts that no longer change: nothing counts as progress from here.
        var stale = try #require(sim.deployment.status)
        stale.conditions = finished.conditions
        sim.deployment.status = stale
        for _ in 0..<40 { sim.step() }
        let c = try #require(sim.deployment.status?.condition("Progressing"))
        #expect(c.reason == "ProgressDeadlineExceeded", "\(c)")
    }

    @Test func scalingUpAndDown() throws {
        var sim = ClusterSimulation(deployment(replicas: 2))
        rollOutFresh(&sim, steps: 5)
        sim.deployment.spec?.replicas = 5
        rollOutFresh(&sim, steps: 5)
        #expect(sim.pods.count == 5)
        #expect(sim.newRS?.metadata.annotations?[DeploymentAnnotations.desiredReplicas] == "5")
        sim.deployment.spec?.replicas = 1
        rollOutFresh(&sim, steps: 5)
        #expect(sim.pods.count == 1)
        #expect(sim.deployment.status?.replicas == 1)
    }

    @Test func proportionalScalingDuringRollout() throws {
        let strat = DeploymentStrategy(type: "RollingUpdate", rollingUpdate: RollingUpdateDeployment(maxUnavailable: 0, maxSurge: 3))
        var sim = ClusterSimulation(deployment(replicas: 10, strategy: strat))
        rollOutFresh(&sim, steps: 5)
        setImage(&sim.deployment, "nginx:2")
        sim.readyAfter = nil
        sim.step()  // new RS gets 3 (surge), old keeps 10
        #expect(sim.totalSpecReplicas == 13)
        sim.deployment.spec?.replicas = 20
        sim.step()
        // 20 + 3 surge = 23 spread in proportion: old 10 → ~18, new 3 → ~5.
        #expect(sim.totalSpecReplicas == 23)
        let new = try #require(sim.newRS)
        #expect(new.spec?.replicas == 5)
    }

    @Test func revisionHistoryLimitCleansUpOldReplicaSets() throws {
        var d = deployment(replicas: 1)
        d.spec?.revisionHistoryLimit = 2
        var sim = ClusterSimulation(d)
        rollOutFresh(&sim, steps: 5)
        for v in 2...6 {
            setImage(&sim.deployment, "nginx:\(v)")
            rollOutFresh(&sim, steps: 8)
        }
        // New + 2 old.
        #expect(sim.replicaSets.count == 3)
        let revs = sim.replicaSets.map { DeploymentAnnotations.revision(of: $0) }.sorted()
        #expect(revs == [4, 5, 6])
    }

    @Test func collisionBumpsCollisionCount() throws {
        var sim = ClusterSimulation(deployment(replicas: 1))
        let hash = PodTemplateHash.compute(sim.deployment.spec!.template, collisionCount: nil)
        // Someone else's ReplicaSet already has the name.
        var other = ReplicaSet(metadata: ObjectMeta(name: "web-" + hash, namespace: "default", labels: ["other": "x"]),
                               spec: ReplicaSetSpec(replicas: 0, selector: LabelSelector(matchLabels: ["other": "x"])))
        other.metadata.uid = "uid-other"
        sim.replicaSets.append(other)
        sim.syncDeployment()
        #expect(sim.deployment.status?.collisionCount == 1)
        sim.syncDeployment()
        let mine = sim.replicaSets.filter { $0.metadata.controllerRef?.uid == "uid-deploy" }
        #expect(mine.count == 1)
        #expect(mine.first?.metadata.name == "web-" + PodTemplateHash.compute(sim.deployment.spec!.template, collisionCount: 1))
        #expect(mine.first?.metadata.name != "web-" + hash)
    }

    @Test func adoptsAndReleasesReplicaSets() throws {
        var sim = ClusterSimulation(deployment(replicas: 1))
        var orphan = ReplicaSet(metadata: ObjectMeta(name: "orphan", namespace: "default", labels: ["app": "web"]),
                                spec: ReplicaSetSpec(replicas: 0, selector: LabelSelector(matchLabels: ["app": "web"]),
                                                     template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]))))
        orphan.metadata.uid = "uid-orphan"
        sim.replicaSets.append(orphan)
        sim.syncDeployment()
        #expect(sim.replicaSets.first { $0.metadata.name == "orphan" }?.metadata.controllerRef?.uid == "uid-deploy")
        // Labels stop matching: released.
        if let i = sim.replicaSets.firstIndex(where: { $0.metadata.name == "orphan" }) {
            sim.replicaSets[i].metadata.labels = ["app": "gone"]
        }
        sim.syncDeployment()
        #expect(sim.replicaSets.first { $0.metadata.name == "orphan" }?.metadata.controllerRef == nil)
    }
}

@Suite struct PodTemplateHashTests {
    @Test func fnv32aKnownVectors() {
        var h = FNV32a()
        #expect(h.sum == 0x811c9dc5)
        h.write(Array("a".utf8))
        #expect(h.sum == 0xe40c292c)
        var h2 = FNV32a()
        h2.write(Array("foobar".utf8))
        #expect(h2.sum == 0xbf9cf968)
    }

    @Test func safeEncodeMapsDigitsAsKube() {
        // "0123456789" → 4 5 6 7 8 9 b c d f
        #expect(PodTemplateHash.safeEncode("0123456789") == "456789bcdf")
    }

    @Test func hashIsStableAndDependsOnTemplateAndCollisionCount() {
        let t = deployment().spec!.template
        let a = PodTemplateHash.compute(t, collisionCount: nil)
        #expect(a == PodTemplateHash.compute(t, collisionCount: nil))
        #expect(a.allSatisfy { "456789bcdf".contains($0) })
        #expect(a != PodTemplateHash.compute(t, collisionCount: 1))
        #expect(a != PodTemplateHash.compute(deployment(image: "nginx:2").spec!.template, collisionCount: nil))
    }

    @Test func equalIgnoringHash() {
        let t = deployment().spec!.template
        var withHash = t
        withHash.metadata?.labels?[PodTemplateHash.label] = "abc"
        #expect(templatesEqualIgnoringHash(t, withHash))
        #expect(!templatesEqualIgnoringHash(t, deployment(image: "other").spec!.template))
    }
}

@Suite struct DeploymentPlanTests {
    @Test func repeatedReplicaSetWritesAreFolded() {
        func rs(_ name: String, _ replicas: Int32) -> ReplicaSet {
            ReplicaSet(metadata: ObjectMeta(name: name), spec: ReplicaSetSpec(replicas: replicas, selector: LabelSelector()))
        }
        var plan = DeploymentPlan()
        plan.actions = [.updateReplicaSet(rs("old", 3)), .createReplicaSet(rs("new", 1)), .updateStatus(DeploymentStatus()),
                        .updateReplicaSet(rs("old", 2)), .updateReplicaSet(rs("new", 2))]
        #expect(plan.coalesced == [.updateReplicaSet(rs("old", 2)), .createReplicaSet(rs("new", 2)), .updateStatus(DeploymentStatus())])
    }
}
