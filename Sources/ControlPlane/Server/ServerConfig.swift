import Glibc

/// Everything `swiftlet server` is started with; the executable fills it from flags.
public struct ServerConfig: Sendable {
    public var dataDirectory: String
    public var bindAddress: String = "127.0.0.1"
    public var securePort: Int = 6443
    /// Empty: run the embedded store member in `dataDirectory/store`.
    public var etcdServers: [String] = []
    public var serviceClusterIPRange: CIDR
    public var serviceNodePortRange: ClosedRange<Int> = 30000...32767
    public var tokenAuthFile: String?
    /// Kubernetes' `--max-request-bytes`-like bound on a request body (its handlers read at most 3 MiB).
    public var maxRequestBodyBytes: Int = 3 * 1024 * 1024
    /// Run the scheduler and the controllers in this process (`--disable-control-loops` turns them off,
    /// for an API-only server next to others that run them).
    public var runControlLoops: Bool = true
    /// kube-controller-manager's --node-monitor-grace-period, seconds: how long a node may go without a
    /// Lease renewal or Ready heartbeat before the node lifecycle controller marks it Unknown.
    public var nodeMonitorGracePeriod: Double = 40

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
        // A literal that always parses.
        self.serviceClusterIPRange = CIDR(address: IPAddress(bytes: [10, 96, 0, 0]), prefixLength: 12)
    }

    public var pkiDirectory: String { dataDirectory + "/pki" }
    public var storeDirectory: String { dataDirectory + "/store" }
    public var kubeconfigPath: String { dataDirectory + "/admin.kubeconfig" }

    /// The host clients are told to reach: the bind address, or loopback when bound to every address.
    public var advertisedHost: String {
        switch bindAddress {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "::1"
        default: bindAddress
        }
    }

    /// `https://host:port`, with IPv6 literals bracketed.
    public var serverURL: String {
        let host = advertisedHost.contains(":") ? "[\(advertisedHost)]" : advertisedHost
        return "https://\(host):\(securePort)"
    }

    /// `--service-node-port-range` as Kubernetes spells it: `30000-32767` (or a single port).
    public static func parsePortRange(_ text: String) throws(ConfigError) -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
              let low = Int(parts[0].trimmingCharacters()), let high = Int(parts[parts.count - 1].trimmingCharacters()),
              (1...65535).contains(low), (1...65535).contains(high), low <= high else {
            throw .invalidPortRange(text)
        }
        return low...high
    }
}

public enum ConfigError: Error, Hashable, CustomStringConvertible {
    case invalidCIDR(String)
    case invalidPortRange(String)
    case invalidAddress(String)

    public var description: String {
        switch self {
        case .invalidCIDR(let s): "invalid CIDR address: \(s)"
        case .invalidPortRange(let s): "invalid port range \(s): want LOW-HIGH within 1-65535"
        case .invalidAddress(let s): "invalid IP address: \(s)"
        }
    }
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return bytes.map(String.init).joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `10.96.0.0/12`.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: Int

    public init(address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    public init(_ text: String) throws(ConfigError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(String(parts[0])), let length = Int(parts[1]),
              length >= 0, length <= address.bytes.count * 8 else {
            throw .invalidCIDR(text)
        }
        self.address = address
        self.prefixLength = length
    }

    /// The network address (host bits cleared).
    public var network: IPAddress {
        var bytes = address.bytes
        for i in bytes.indices {
            let bitsInByte = max(0, min(8, prefixLength - i * 8))
            let mask: UInt8 = bitsInByte == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsInByte))
            bytes[i] &= mask
        }
        return IPAddress(bytes: bytes)
    }

    /// The first usable address, which Kubernetes gives the `kubernetes` Service (10.96.0.1).
    public var firstServiceIP: IPAddress {
        var bytes = network.bytes
        var i = bytes.count - 1
        while i >= 0 {
            if bytes[i] == 0xFF { bytes[i] = 0; i -= 1 } else { bytes[i] += 1; break }
        }
        return IPAddress(bytes: bytes)
    }

    public var description: String { "\(network)/\(prefixLength)" }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingWhitespace() }
}
