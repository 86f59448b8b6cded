/// Node IPAM (kube's range allocator): one podCIDR per node carved from the cluster CIDR
/// (default 10.244.0.0/16 in /24s), released when the node goes, rebuilt from the nodes' existing
/// podCIDRs at start so nothing is handed out twice. IPv4 only.
public struct NodeCIDRAllocator: Sendable {
    public enum AllocationError: Error, Hashable, Sendable, CustomStringConvertible {
        case invalidCIDR(String)
        case exhausted(node: String, cidr: String)
        case outsideClusterCIDR(node: String, podCIDR: String)

        public var description: String {
            switch self {
            case .invalidCIDR(let c): "node IPAM: \"\(c)\" is not an IPv4 CIDR"
            case .exhausted(let n, let c): "node IPAM: no free /24 left in \(c) for node \(n)"
            case .outsideClusterCIDR(let n, let p): "node IPAM: node \(n) has podCIDR \(p) outside the cluster CIDR"
            }
        }
    }

    public let base: UInt32
    public let clusterPrefix: Int
    public let nodePrefix: Int
    private var used: [Bool]
    private var owner: [String: Int] = [:]
    private var next = 0

    public init(clusterCIDR: String = "10.244.0.0/16", nodeMaskSize: Int = 24) throws(AllocationError) {
        guard let (ip, prefix) = Self.parse(clusterCIDR), prefix <= nodeMaskSize, nodeMaskSize <= 32,
              nodeMaskSize - prefix <= 20
        else { throw .invalidCIDR(clusterCIDR) }
        base = prefix == 0 ? 0 : ip & ~(UInt32.max >> UInt32(prefix))
        clusterPrefix = prefix
        nodePrefix = nodeMaskSize
        used = Array(repeating: false, count: 1 << (nodeMaskSize - prefix))
    }

    public var clusterCIDR: String { Self.format(base) + "/\(clusterPrefix)" }
    public var capacity: Int { used.count }
    public var allocatedCount: Int { owner.count }

    static func parse(_ cidr: String) -> (UInt32, Int)? {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
        let octets = parts[0].split(separator: ".")
        guard octets.count == 4 else { return nil }
        var v: UInt32 = 0
        for o in octets {
            guard let b = UInt8(o) else { return nil }
            v = v << 8 | UInt32(b)
        }
        return (v, prefix)
    }

    static func format(_ v: UInt32) -> String { "\(v >> 24).\(v >> 16 & 0xff).\(v >> 8 & 0xff).\(v & 0xff)" }

    func cidr(_ index: Int) -> String { Self.format(base + UInt32(index) << UInt32(32 - nodePrefix)) + "/\(nodePrefix)" }

    func index(of podCIDR: String) -> Int? {
        guard let (ip, prefix) = Self.parse(podCIDR), prefix == nodePrefix else { return nil }
        let span = UInt32(1) << UInt32(32 - clusterPrefix) &- 1
        guard clusterPrefix == 0 || (ip &- base) <= span, ip >= base else { return nil }
        return Int((ip - base) >> UInt32(32 - nodePrefix))
    }

    /// Marks a node's existing podCIDR taken (at start, or when a node arrives with one).
    public mutating func occupy(node: String, podCIDR: String) throws(AllocationError) {
        guard let i = index(of: podCIDR), i < used.count else { throw .outsideClusterCIDR(node: node, podCIDR: podCIDR) }
        used[i] = true
        owner[node] = i
    }

    /// The node's podCIDR: the one it already has, or the next free one.
    public mutating func allocate(node: String) throws(AllocationError) -> String {
        if let i = owner[node] { return cidr(i) }
        for step in 0..<used.count {
            let i = (next + step) % used.count
            if !used[i] {
                used[i] = true
                owner[node] = i
                next = (i + 1) % used.count
                return cidr(i)
            }
        }
        throw .exhausted(node: node, cidr: clusterCIDR)
    }

    public mutating func release(node: String) {
        guard let i = owner.removeValue(forKey: node) else { return }
        used[i] = false
    }

    public func podCIDR(of node: String) -> String? { owner[node].map(cidr) }
}
