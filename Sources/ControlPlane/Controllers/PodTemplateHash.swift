import FoundationEssentials
import KubeAPI

/// The `pod-template-hash` label value a Deployment gives its ReplicaSets (kube's
/// `controller.ComputeHash`): FNV-1a 32 over the template, then the collision count as 8
/// little-endian bytes (a uint32 and four zero bytes), the 32-bit sum printed in decimal and each
/// digit mapped through `rand.SafeEncodeString`'s alphabet (hence values like "7c5ddbdf54").
///
/// kube feeds the hasher go-spew's `%#v` dump of the Go struct; that dump names every Go field and
/// type and cannot be reproduced faithfully without Go's structs, so the bytes hashed here are the
/// template's canonical JSON (keys sorted). The algorithm and format are kube's; the values are not
/// kube's for the same template. They only need to be stable: a template maps to one hash, a
/// different template (or collision count) to a different one.
public enum PodTemplateHash {
    public static let label = "pod-template-hash"

    public static func compute(_ template: PodTemplateSpec, collisionCount: Int32?) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let bytes = (try? enc.encode(template)) ?? Data()
        var h = FNV32a()
        h.write(bytes)
        if let c = collisionCount {
            let v = UInt32(bitPattern: c)
            h.write([UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24), 0, 0, 0, 0])
        }
        return safeEncode(String(h.sum))
    }

    /// `rand.SafeEncodeString`: each byte → the consonant/digit alphabet that avoids bad words.
    public static func safeEncode(_ s: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(s.utf8.map { alphabet[Int($0) % alphabet.count] })
    }
}

/// FNV-1a, 32 bits (Go's `hash/fnv.New32a`).
public struct FNV32a: Sendable {
    public private(set) var sum: UInt32 = 2_166_136_261
    public init() {}
    public mutating func write(_ bytes: some Sequence<UInt8>) {
        for b in bytes {
            sum ^= UInt32(b)
            sum = sum &* 16_777_619
        }
    }
}
