import Foundation
import KubeAPI
import KubeClient
import Synchronization

/// The test in the kubelet's seat, since no agent runs in these tests: it registers Node objects
/// (capacity, allocatable, Ready), renews their Leases in kube-node-lease, reports every pod bound
/// to one of its nodes Running and Ready (with a pod IP), and finishes graceful deletions as a
/// kubelet does once containers have stopped. Each behaviour can be withheld per node or pod, which
/// is how the tests make a node go silent, a pod turn unready or stay terminating.
final class PlayedKubelet: Sendable {
    struct Withheld {
        /// Nodes whose Lease is no longer renewed (the kubelet died).
        var silentNodes: Set<String> = []
        /// Pods reported Running but not Ready (a failing readiness probe).
        var unreadyPods: Set<String> = []
        /// Images whose containers never pass their readiness probe.
        var unreadyImages: Set<String> = []
        /// Pods left terminating instead of being removed once deleted.
        var heldTerminating: Set<String> = []
        /// How long containers take to stop once a pod is deleted (0: at the next round).
        var stopTime: Duration = .zero
    }

    let client: KubeAPIClient
    let withheld = Mutex(Withheld())
    private let nodes = Mutex<[String]>([])
    private let podIPs = Mutex<[String: String]>([:])
    /// When each terminating pod (by uid) was first seen deleted.
    private let stopping = Mutex<[String: ContinuousClock.Instant]>([:])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(kubeconfig: String) throws {
        client = try KubeAPIClient(kubeconfigPath: kubeconfig)
    }

    /// Registers a Ready node and starts renewing its Lease.
    func register(node name: String, cpu: String = "4", memory: String = "8Gi", pods: String = "110",
                  labels: [String: String] = [:], taints: [Taint] = []) async throws {
        var allLabels = ["kubernetes.io/hostname": name, "kubernetes.io/os": "linux"]
        for (k, v) in labels { allLabels[k] = v }
        var spec = NodeSpec()
        if !taints.isEmpty { spec.taints = taints }
        _ = try await client.create(Node(metadata: ObjectMeta(name: name, labels: allLabels), spec: spec))
        let resources: [String: Any] = ["cpu": cpu, "memory": memory, "pods": pods]
        let status: [String: Any] = ["status": [
            "capacity": resources, "allocatable": resources,
            "conditions": [Self.readyCondition()],
            "addresses": [["type": "InternalIP", "address": "192.0.2.\(nodes.withLock { $0.count } + 1)"],
                          ["type": "Hostname", "address": name]],
        ]]
        _ = try await client.patch(Node.self, name: name, patchType: .merge, body: try json(status), subresource: "status")
        _ = try await client.create(Lease(metadata: ObjectMeta(name: name, namespace: "kube-node-lease"),
                                          spec: LeaseSpec(holderIdentity: name, leaseDurationSeconds: 40, renewTime: .now())))
        nodes.withLock { $0.append(name) }
    }

    static func readyCondition() -> [String: Any] {
        let now = Time.now().rfc3339
        return ["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                "lastHeartbeatTime": now, "lastTransitionTime": now]
    }

    /// Starts the kubelet loop (every 200 ms); `stop()` ends it.
    func start() {
        let t = Task { [self] in
            while !Task.isCancelled {
                try? await pass()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        task.withLock { $0 = t }
    }

    func stop() { task.withLock { $0?.cancel() } }

    /// One round: renew Leases, report pods, finish deletions.
    func pass() async throws {
        let w = withheld.withLock { $0 }
        let mine = Set(nodes.withLock { $0 })
        for node in mine.subtracting(w.silentNodes).sorted() {
            let renew: [String: Any] = ["spec": ["renewTime": MicroTime.now().rfc3339]]
            _ = try? await client.patch(Lease.self, name: node, namespace: "kube-node-lease", patchType: .merge, body: try json(renew))
        }
        // A kubelet posts its status again when it finds its node not Ready (after coming back).
        for node in try await client.list(Node.self).items {
            guard let name = node.metadata.name, mine.contains(name), !w.silentNodes.contains(name), !(node.status?.isReady ?? false) else { continue }
            _ = try? await client.patch(Node.self, name: name, patchType: .merge, body: try json(["status": ["conditions": [Self.readyCondition()]]]),
                                        subresource: "status")
        }
        for pod in try await client.list(Pod.self).items {
            guard let name = pod.metadata.name, let namespace = pod.metadata.namespace,
                  let node = pod.spec?.nodeName, mine.contains(node), !w.silentNodes.contains(node) else { continue }
            if pod.metadata.deletionTimestamp != nil {
                let uid = pod.metadata.uid ?? name
                let since = stopping.withLock { seen -> ContinuousClock.Instant in
                    if let t = seen[uid] { return t }
                    seen[uid] = .now
                    return .now
                }
                if !w.heldTerminating.contains(name), ContinuousClock.now - since >= w.stopTime {
                    try? await client.delete(Pod.self, name: name, namespace: namespace,
                                             options: DeleteOptions(gracePeriodSeconds: 0, preconditions: Preconditions(uid: pod.metadata.uid)))
                }
                continue
            }
            let ready = !w.unreadyPods.contains(name) && !(pod.spec?.containers ?? []).contains { w.unreadyImages.contains($0.image ?? "") }
            let isRunning = pod.status?.phase == "Running"
            let isReady = pod.status?.conditions?.first { $0.type == "Ready" }?.status == "True"
            if isRunning && isReady == ready { continue }
            try? await report(pod: name, namespace: namespace, ready: ready)
        }
    }

    private func report(pod name: String, namespace: String, ready: Bool) async throws {
        let ip = podIPs.withLock { ips in
            if let ip = ips[name] { return ip }
            let ip = "10.244.\(ips.count / 250).\(ips.count % 250 + 2)"
            ips[name] = ip
            return ip
        }
        let now = Time.now().rfc3339
        let flag = ready ? "True" : "False"
        let status: [String: Any] = ["status": [
            "phase": "Running", "podIP": ip, "podIPs": [["ip": ip]], "startTime": now,
            "conditions": [
                ["type": "PodScheduled", "status": "True", "lastTransitionTime": now],
                ["type": "Initialized", "status": "True", "lastTransitionTime": now],
                ["type": "ContainersReady", "status": flag, "lastTransitionTime": now],
                ["type": "Ready", "status": flag, "lastTransitionTime": now],
            ],
        ]]
        _ = try await client.patch(Pod.self, name: name, namespace: namespace, patchType: .merge, body: try json(status),
                                   subresource: "status")
    }

    private func json(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object))
    }
}
