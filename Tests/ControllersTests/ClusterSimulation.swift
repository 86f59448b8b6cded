import KubeAPI
@testable import Controllers

/// A tiny in-memory cluster that applies the Deployment and ReplicaSet controllers' plans, creates
/// and deletes pods instantly, and makes pods ready a set number of steps after creation.
struct ClusterSimulation {
    var deployment: Deployment
    var replicaSets: [ReplicaSet] = []
    var pods: [Pod] = []
    var now = Time(seconds: 1_000_000)
    var nextUID = 0
    /// Steps a new pod takes to become Ready (nil: never).
    var readyAfter: Int64? = 1
    var created: [String: Int64] = [:]
    var lastDeploymentPlan = DeploymentPlan()

    init(_ d: Deployment) {
        deployment = d
        deployment.metadata.uid = deployment.metadata.uid ?? "uid-deploy"
        deployment.metadata.generation = deployment.metadata.generation ?? 1
    }

    mutating func uid(_ prefix: String) -> String {
        nextUID += 1
        return "\(prefix)-\(nextUID)"
    }

    mutating func syncDeployment() {
        let plan = DeploymentReconciler.reconcile(deployment, replicaSets: replicaSets, pods: pods, now: now)
        lastDeploymentPlan = plan
        for a in plan.actions {
            switch a {
            case .createReplicaSet(var rs):
                rs.metadata.uid = uid("rs")
                rs.metadata.creationTimestamp = now
                rs.metadata.generation = 1
                replicaSets.append(rs)
            case .updateReplicaSet(let rs):
                if let i = replicaSets.firstIndex(where: { $0.metadata.name == rs.metadata.name }) {
                    var u = rs
                    if u.spec != replicaSets[i].spec { u.metadata.generation = (u.metadata.generation ?? 1) + 1 }
                    replicaSets[i] = u
                }
            case .deleteReplicaSet(let rs):
                replicaSets.removeAll { $0.metadata.name == rs.metadata.name }
            case .updateDeploymentAnnotations(let ann):
                deployment.metadata.annotations = ann
            case .updateStatus(let s):
                deployment.status = s
            }
        }
    }

    mutating func syncReplicaSets() {
        for i in replicaSets.indices {
            let rs = replicaSets[i]
            let plan = ReplicaSetReconciler.reconcile(rs, pods: pods, expectationsSatisfied: true, now: now)
            for p in plan.delete { pods.removeAll { $0.metadata.uid == p.metadata.uid } }
            if let t = plan.podTemplate {
                for _ in 0..<plan.createCount {
                    var p = t
                    let u = uid("pod")
                    p.metadata.name = (t.metadata.generateName ?? "") + u
                    p.metadata.uid = u
                    p.metadata.creationTimestamp = now
                    p.status = PodStatus(phase: "Pending")
                    created[u] = now.seconds
                    pods.append(p)
                }
            }
            // Status as the controller would see it after its own writes.
            let after = ReplicaSetReconciler.reconcile(rs, pods: pods, expectationsSatisfied: false, now: now)
            replicaSets[i].status = after.status
        }
    }

    mutating func advancePods() {
        guard let readyAfter else { return }
        for i in pods.indices {
            guard let c = created[pods[i].metadata.uid ?? ""], now.seconds - c >= readyAfter, !PodState.isReady(pods[i]) else { continue }
            pods[i].spec?.nodeName = "node-1"
            var st = PodStatus(phase: "Running")
            st.conditions = [PodCondition(type: "Ready", status: "True", lastTransitionTime: now)]
            st.podIP = "10.244.0.\(i + 2)"
            pods[i].status = st
        }
    }

    /// One round: deployment controller, ReplicaSet controller, time passes, pods progress, the
    /// ReplicaSet controller writes status again.
    mutating func step() {
        syncDeployment()
        syncReplicaSets()
        now = Time(seconds: now.seconds + 1)
        advancePods()
        syncReplicaSets()
    }

    var totalSpecReplicas: Int32 { replicaSets.reduce(0) { $0 + ($1.spec?.replicas ?? 0) } }
    var availablePods: Int { pods.filter { PodState.isReady($0) }.count }
    func pods(of rs: ReplicaSet) -> [Pod] { pods.filter { $0.metadata.controllerRef?.uid == rs.metadata.uid } }
    var newRS: ReplicaSet? {
        replicaSets.first { templatesEqualIgnoringHash($0.spec?.template, deployment.spec?.template) }
    }
}

func deployment(_ name: String = "web", replicas: Int32 = 3, image: String = "nginx:1",
                strategy: DeploymentStrategy? = nil) -> Deployment {
    var t = PodTemplateSpec(metadata: ObjectMeta(labels: ["app": name]), spec: PodSpec(containers: [Container(name: "c", image: image)]))
    t.spec?.containers[0].ports = [ContainerPort(containerPort: 80, name: "http")]
    var spec = DeploymentSpec(replicas: replicas, selector: LabelSelector(matchLabels: ["app": name]), template: t)
    spec.strategy = strategy
    return Deployment(metadata: ObjectMeta(name: name, namespace: "default"), spec: spec)
}

func setImage(_ d: inout Deployment, _ image: String) {
    d.spec?.template.spec?.containers[0].image = image
    d.metadata.generation = (d.metadata.generation ?? 1) + 1
}

func readyPod(_ name: String, labels: [String: String], node: String? = "n1", ip: String? = nil, ready: Bool = true,
              owner: OwnerReference? = nil, created: Int64 = 0, readySince: Int64 = 0, restarts: Int32 = 0,
              phase: String = "Running") -> Pod {
    var meta = ObjectMeta(name: name, namespace: "default", labels: labels)
    meta.uid = "uid-" + name
    meta.creationTimestamp = Time(seconds: created)
    meta.ownerReferences = owner.map { [$0] }
    var spec = PodSpec(containers: [Container(name: "c", image: "x")])
    spec.nodeName = node
    var st = PodStatus(phase: phase)
    st.conditions = [PodCondition(type: "Ready", status: ready ? "True" : "False", lastTransitionTime: Time(seconds: readySince))]
    st.podIP = ip
    var cs = ContainerStatus(name: "c", ready: ready, restartCount: restarts, image: "x")
    cs.state = ContainerState(running: ContainerStateRunning())
    st.containerStatuses = [cs]
    return Pod(metadata: meta, spec: spec, status: st)
}
