import KubeAPI

/// The objects the end-to-end scheduler benchmark writes: hollow nodes (no agent behind them, as
/// ClusterLoader2's kubemark nodes without the kubelet), pending pods, and the Deployment manifest
/// that goes through `kubectl apply`.
public enum SchedulerBenchObjects {
    public static let nodeCPU: Int64 = 4
    public static let nodeMemory: Int64 = 16 * 1024 * 1024 * 1024
    public static let nodePods: Int64 = 110
    public static let podCPUMilli: Int64 = 100
    public static let podMemory: Int64 = 64 * 1024 * 1024
    public static let podImage = "registry.k8s.io/pause:3.10"

    public static func nodeName(_ i: Int) -> String { "bench-node-\(i)" }

    /// Ready, with capacity for 40 of the benchmark's pods by cpu, and labels that vary across nodes
    /// (zone, instance type, a rack) as a real fleet's do. The podCIDR comes from 100.64.0.0/10, outside
    /// the cluster CIDR, so node IPAM has nothing to hand out to 5,000 nodes from its 256 /24s.
    public static func node(_ i: Int, heartbeat: Time) -> Node {
        let name = nodeName(i)
        var node = Node(metadata: ObjectMeta(name: name, labels: [
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "topology.kubernetes.io/zone": "zone-\(["a", "b", "c"][i % 3])",
            "node.kubernetes.io/instance-type": ["small", "medium", "large", "xlarge"][i % 4],
            "bench.swiftlet.io/rack": "rack-\(i % 50)",
        ]))
        var spec = NodeSpec()
        let cidr = "100.\(64 + i / 256).\(i % 256).0/24"
        spec.podCIDR = cidr
        spec.podCIDRs = [cidr]
        node.spec = spec
        var status = NodeStatus()
        let resources: ResourceList = ["cpu": Quantity(nodeCPU), "memory": Quantity(nodeMemory, format: .binarySI),
                                       "pods": Quantity(nodePods)]
        status.capacity = resources
        status.allocatable = resources
        status.conditions = [
            NodeCondition(type: "Ready", status: "True", lastHeartbeatTime: heartbeat, lastTransitionTime: heartbeat,
                          reason: "KubeletReady", message: "hollow node of the scheduler benchmark"),
        ]
        status.addresses = [NodeAddress(type: "InternalIP", address: "100.\(64 + i / 256).\(i % 256).1"),
                            NodeAddress(type: "Hostname", address: name)]
        node.status = status
        return node
    }

    /// A pending pod with small requests (100m cpu, 64Mi), no owner.
    public static func pod(_ i: Int, namespace: String) -> Pod {
        var container = Container(name: "pause", image: podImage)
        container.resources = ResourceRequirements(requests: ["cpu": Quantity(milli: podCPUMilli),
                                                              "memory": Quantity(podMemory, format: .binarySI)])
        return Pod(metadata: ObjectMeta(name: "bench-pod-\(i)", namespace: namespace, labels: ["app": "sched-bench"]),
                   spec: PodSpec(containers: [container]))
    }

    /// The Deployment as a user writes it, for `kubectl apply -f`.
    public static func deploymentManifest(name: String, namespace: String, replicas: Int) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          replicas: \(replicas)
          selector:
            matchLabels:
              app: \(name)
          template:
            metadata:
              labels:
                app: \(name)
            spec:
              containers:
              - name: pause
                image: \(podImage)
                resources:
                  requests:
                    cpu: \(podCPUMilli)m
                    memory: 64Mi

        """
    }
}
