import KubeAPI

/// A host port a pod asks for: kube's NodePorts plugin treats an empty host IP as 0.0.0.0.
public struct HostPortKey: Hashable, Sendable {
    public var ip: String
    public var proto: String
    public var port: Int32
    public init(ip: String, proto: String, port: Int32) {
        self.ip = ip.isEmpty ? "0.0.0.0" : ip
        self.proto = proto.isEmpty ? "TCP" : proto
        self.port = port
    }

    /// Two host ports conflict on the same protocol and port when either binds every address.
    public func conflicts(with other: HostPortKey) -> Bool {
        guard port == other.port, proto == other.proto else { return false }
        return ip == other.ip || ip == "0.0.0.0" || other.ip == "0.0.0.0"
    }
}

/// What a pod asks of a node, in the units the scheduler compares (cpu millicores, memory bytes).
/// `cpuMilli`/`memory` count for fit; `nonZero*` replace a missing request by kube's scoring defaults
/// (100m and 200Mi per container, `schedutil.GetNonzeroRequests`) so best-effort pods still spread.
public struct PodRequests: Hashable, Sendable {
    public var cpuMilli: Int64 = 0
    public var memory: Int64 = 0
    public var nonZeroCPUMilli: Int64 = 0
    public var nonZeroMemory: Int64 = 0
    public var hostPorts: [HostPortKey] = []
    public init() {}

    public static let defaultCPUMilli: Int64 = 100
    public static let defaultMemory: Int64 = 200 * 1024 * 1024

    /// As `resource.PodRequests`: containers summed; each init container runs alone (plus the sidecars
    /// started before it), so the pod needs the max of that and the sum; sidecars (restartPolicy Always)
    /// keep running and add to the sum; overhead is added last.
    public init(_ spec: PodSpec?) {
        guard let spec else { return }
        typealias Amounts = (cpu: Int64, mem: Int64, nzCPU: Int64, nzMem: Int64)
        func amounts(_ c: Container) -> Amounts {
            let r = c.resources?.requests
            let cpu = r?.cpu?.milliValue
            let mem = r?.memory?.value
            return (cpu ?? 0, mem ?? 0, cpu ?? PodRequests.defaultCPUMilli, mem ?? PodRequests.defaultMemory)
        }
        func add(_ a: Amounts, _ b: Amounts) -> Amounts { (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3) }
        func maxOf(_ a: Amounts, _ b: Amounts) -> Amounts { (max(a.0, b.0), max(a.1, b.1), max(a.2, b.2), max(a.3, b.3)) }
        var sum: Amounts = (0, 0, 0, 0)
        for c in spec.containers { sum = add(sum, amounts(c)) }
        var sidecars: Amounts = (0, 0, 0, 0)
        var initPeak: Amounts = (0, 0, 0, 0)
        for c in spec.initContainers ?? [] {
            let a = amounts(c)
            if c.restartPolicy == "Always" {
                sum = add(sum, a)
                sidecars = add(sidecars, a)
                initPeak = maxOf(initPeak, sidecars)
            } else {
                initPeak = maxOf(initPeak, add(a, sidecars))
            }
        }
        sum = maxOf(sum, initPeak)
        if let o = spec.overhead {
            let oc = o.cpu?.milliValue ?? 0
            let om = o.memory?.value ?? 0
            sum = add(sum, (oc, om, oc, om))
        }
        (cpuMilli, memory, nonZeroCPUMilli, nonZeroMemory) = sum
        for c in (spec.initContainers ?? []) + spec.containers {
            for p in c.ports ?? [] {
                if let hp = p.hostPort, hp > 0 {
                    hostPorts.append(HostPortKey(ip: p.hostIP ?? "", proto: p.protocol ?? "TCP", port: hp))
                }
            }
        }
    }
}
