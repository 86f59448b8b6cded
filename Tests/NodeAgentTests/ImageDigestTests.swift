import Testing
@testable import NodeAgent

@Suite("Image digests and SHA-256")
struct ImageDigestTests {
    @Test func knownVectors() {
        #expect(Digest.sha256(of: [UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256(of: Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hex
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Digest.sha256(of: [UInt8](repeating: 0x61, count: 1_000_000)).hex
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func streamingMatchesOneShotAtEveryBlockBoundary() {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let whole = Digest.sha256(of: data)
        for split in [0, 1, 55, 56, 63, 64, 65, 119, 128, 299, 300] {
            var h = SHA256()
            h.update(data[..<split])
            h.update(data[split...])
            #expect(h.finalize() == whole, "split \(split)")
            #expect(h.count == 300)
        }
        // Finalizing does not spend the hasher.
        var h = SHA256()
        h.update(Array("ab".utf8))
        _ = h.finalize()
        h.update(Array("c".utf8))
        #expect(h.finalize().hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func parsing() throws {
        let hex = String(repeating: "0f", count: 32)
        let d = try Digest("sha256:\(hex)")
        #expect(d.algorithm == .sha256 && d.hex == hex && d.description == "sha256:\(hex)")
        #expect(try Digest("sha512:" + String(repeating: "a", count: 128)).algorithm == .sha512)
        #expect(throws: DigestError.missingAlgorithm(hex)) { try Digest(hex) }
        #expect(throws: DigestError.badLength(algorithm: "sha256", expected: 64, actual: 63)) { try Digest("sha256:" + hex.dropLast()) }
        #expect(throws: DigestError.notLowercaseHex(hex.uppercased())) { try Digest("sha256:" + hex.uppercased()) }
        #expect(throws: DigestError.notLowercaseHex("g" + hex.dropFirst())) { try Digest("sha256:g" + hex.dropFirst()) }
        #expect(throws: DigestError.unsupportedAlgorithm("blake3")) { try Digest("blake3:" + hex) }
        #expect(throws: DigestError.malformed("SHA256:" + hex)) { try Digest("SHA256:" + hex) }
        #expect(throws: DigestError.malformed(":" + hex)) { try Digest(":" + hex) }
        #expect(throws: DigestError.badLength(algorithm: "sha256", expected: 64, actual: 67)) { try Digest("sha256:../" + hex) }
    }
}
