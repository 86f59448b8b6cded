import KubeAPI
@testable import Scheduler

func node(_ name: String, cpu: String = "4", memory: String = "8Gi", pods: Int64 = 110, ready: String = "True",
          labels: [String: String] = [:], taints: [Taint] = [], unschedulable: Bool = false) -> Node {
    var n = Node(metadata: ObjectMeta(name: name, labels: labels))
    var spec = NodeSpec()
    spec.taints = taints.isEmpty ? nil : taints
    spec.unschedulable = unschedulable ? true : nil
    n.spec = spec
    var st = NodeStatus()
    st.allocatable = ["cpu": Quantity(stringLiteral: cpu), "memory": Quantity(stringLiteral: memory), "pods": Quantity(pods)]
    st.conditions = [NodeCondition(type: "Ready", status: ready)]
    n.status = st
    return n
}

func container(_ name: String = "c", cpu: String? = nil, memory: String? = nil, hostPort: Int32? = nil,
               hostIP: String? = nil, proto: String? = nil, restartPolicy: String? = nil) -> Container {
    var c = Container(name: name, image: "busybox")
    var req: ResourceList = [:]
    if let cpu { req["cpu"] = Quantity(stringLiteral: cpu) }
    if let memory { req["memory"] = Quantity(stringLiteral: memory) }
    if !req.isEmpty { c.resources = ResourceRequirements(requests: req) }
    if let hostPort {
        var p = ContainerPort(containerPort: 80, protocol: proto, hostPort: hostPort)
        p.hostIP = hostIP
        c.ports = [p]
    }
    c.restartPolicy = restartPolicy
    return c
}

func pod(_ name: String, _ containers: [Container] = [container()], nodeName: String? = nil, owner: String? = nil,
         tolerations: [Toleration] = [], nodeSelector: [String: String]? = nil, phase: String? = nil) -> Pod {
    var meta = ObjectMeta(name: name, namespace: "default")
    meta.uid = "uid-" + name
    if let owner {
        meta.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, uid: "uid-" + owner,
                                               controller: true)]
    }
    var spec = PodSpec(containers: containers)
    spec.nodeName = nodeName
    spec.tolerations = tolerations.isEmpty ? nil : tolerations
    spec.nodeSelector = nodeSelector
    return Pod(metadata: meta, spec: spec, status: phase.map { PodStatus(phase: $0) })
}

func snapshot(_ nodes: [Node], pods: [Pod] = []) -> SchedulerSnapshot {
    var s = SchedulerSnapshot()
    for n in nodes { s.upsertNode(n) }
    for p in pods { s.upsertPod(p) }
    return s
}

func info(_ p: Pod, _ s: inout SchedulerSnapshot) -> PodSchedulingInfo { PodSchedulingInfo(p, snapshot: &s) }

let controlPlaneTaint = Taint(key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule")
