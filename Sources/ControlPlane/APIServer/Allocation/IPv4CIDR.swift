/// An IPv4 network (`10.96.0.0/12`): the addresses Service ClusterIPs come from.
public struct IPv4CIDR: Hashable, Sendable, CustomStringConvertible {
    public var network: UInt32
    public var prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let len = Int(parts[1]), (0...32).contains(len),
              let addr = IPv4CIDR.parseAddress(String(parts[0])) else { return nil }
        prefixLength = len
        let mask: UInt32 = len == 0 ? 0 : ~UInt32(0) << UInt32(32 - len)
        network = addr & mask
    }

    public static func parseAddress(_ s: String) -> UInt32? {
        let octets = s.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var v: UInt32 = 0
        for o in octets {
            guard !o.isEmpty, o.count <= 3, o.allSatisfy(\.isASCII), let n = UInt32(o), n <= 255 else { return nil }
            if o.count > 1 && o.first == "0" { return nil }
            v = v << 8 | n
        }
        return v
    }

    public static func format(_ v: UInt32) -> String {
        "\(v >> 24).\((v >> 16) & 0xff).\((v >> 8) & 0xff).\(v & 0xff)"
    }

    /// Number of addresses in the network.
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }

    public func contains(_ addr: UInt32) -> Bool {
        let mask: UInt32 = prefixLength == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefixLength)
        return addr & mask == network
    }

    /// The address at `offset` from the network address.
    public func address(at offset: UInt64) -> UInt32 { network &+ UInt32(truncatingIfNeeded: offset) }

    /// The first usable address (network + 1): reserved for the `kubernetes` Service.
    public var firstAddress: String { IPv4CIDR.format(address(at: 1)) }

    /// Offsets Services may get at random: not the network address, not the first address (the
    /// `kubernetes` Service's), not the broadcast address.
    public var dynamicOffsets: ClosedRange<UInt64> { 2...max(2, size - 2) }

    public var description: String { IPv4CIDR.format(network) + "/" + String(prefixLength) }
}
