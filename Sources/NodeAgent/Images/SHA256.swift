import SwiftletCSystem

/// Streaming SHA-256 over the C implementation (`swl_sha256_*`). A value type: copying it
/// forks the hash state, so a running hash can be peeked without being spent.
public struct SHA256: Sendable {
    private var ctx = swl_sha256()

    public init() { swl_sha256_init(&ctx) }

    /// Bytes absorbed so far.
    public var count: UInt64 { ctx.length }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        swl_sha256_update(&ctx, base, bytes.count)
    }

    public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The 32 digest bytes. Does not spend `self`: more updates may follow.
    public func finalizeBytes() -> [UInt8] {
        var copy = ctx
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { swl_sha256_final(&copy, $0.baseAddress!) }
        return out
    }

    public func finalize() -> Digest {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for b in finalizeBytes() { hex.append(digits[Int(b >> 4)]); hex.append(digits[Int(b & 15)]) }
        // Cannot fail: 64 lowercase hex digits.
        return try! Digest(algorithm: .sha256, hex: String(decoding: hex, as: UTF8.self))
    }
}
