import Foundation
@testable import KubeAPI
import Testing

/// This target has its own test `JSONValue`; these tests are about KubeAPI's.
typealias KubeJSON = KubeAPI.JSONValue

/// The direct JSON reader and writer against the Codable route they replaced (JSONDecoder into
/// `JSONValue`, JSONEncoder with sorted keys and unescaped slashes): same values, same bytes.
@Suite("JSONValue parse and serialize")
struct JSONValueCodecTests {
    static func viaCodable(_ text: String) throws -> KubeJSON {
        try JSONDecoder().decode(KubeJSON.self, from: Data(text.utf8))
    }

    static func encodedViaCodable(_ value: KubeJSON) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    @Test("Same values as JSONDecoder", arguments: [
        #"{"a":1,"b":-2,"c":1.5,"d":"x\"y\\z\/w","e":[true,false,null],"f":{}}"#,
        #"[1.0, 1e2, -0, 9223372036854775807, -9223372036854775808, 9223372036854775808, 1.25e-3, 12345678901234567890]"#,
        #" {"unicode":"\u00e9\u4e2d\ud83d\ude00","raw":"é中😀","tab":"a\tb\nc","ctl":"\u0001"} "#,
        #""just a string""#, "42", "null", "[]", #"{"nested":{"a":[{"b":[[]]}]}}"#,
        #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx:1.25","resources":{"limits":{"cpu":"500m"}}}]}}"#,
    ])
    func parsesLikeCodable(_ text: String) throws {
        #expect(try KubeJSON.parse(Array(text.utf8)) == Self.viaCodable(text))
    }

    @Test("Malformed documents fail", arguments: [
        "", "{", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, "01", "1.", "-", "tru", #""abc"#, "[1] x", #""\x""#,
        #""\ud800""#, "\"a\u{01}b\"", "nul", "{1:2}",
    ])
    func rejects(_ text: String) {
        #expect(throws: (any Error).self) { try KubeJSON.parse(Array(text.utf8)) }
    }

    @Test("Invalid UTF-8 in a string fails")
    func invalidUTF8() {
        #expect(throws: (any Error).self) { try KubeJSON.parse([0x22, 0xFF, 0x22]) }
    }

    @Test("Nesting past 512 fails; 500 is fine")
    func depth() throws {
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try KubeJSON.parse(Array(ok.utf8)) }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: (any Error).self) { try KubeJSON.parse(Array(deep.utf8)) }
    }

    @Test("Same bytes as JSONEncoder with sorted keys", arguments: [
        #"{"b":1,"a":{"z":[1,2.5,"s/t"],"B":null,"a10":true,"a9":false},"é":"ü","":""}"#,
        #"[0.1, 1e300, -2.5e-8, 123456789.125, "quote\" backslash\\ nl\n cr\r tab\t bs\b ff\f"]"#,
    ])
    func serializesLikeCodable(_ text: String) throws {
        let value = try Self.viaCodable(text)
        #expect(String(decoding: try value.serialized(), as: UTF8.self) == (try Self.encodedViaCodable(value)))
    }

    @Test("Random documents round-trip and agree with the Codable route")
    func randomized() throws {
        var rng = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> KubeJSON {
            let pick = depth > 3 ? Int.random(in: 0..<5, using: &rng) : Int.random(in: 0..<7, using: &rng)
            switch pick {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .integer(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &rng))
            case 3: return .double(Double(Int.random(in: -100_000...100_000, using: &rng)) / 64 + 1.0 / 128)  // never integral
            case 4:
                let chars = Array("abcXYZ09 -_./:\"\\\néü中😀")
                return .string(String((0..<Int.random(in: 0..<12, using: &rng)).map { _ in chars.randomElement(using: &rng)! }))
            case 5: return .array((0..<Int.random(in: 0..<5, using: &rng)).map { _ in random(depth + 1) })
            default:
                var o: [String: KubeJSON] = [:]
                for _ in 0..<Int.random(in: 0..<6, using: &rng) { o["k\(Int.random(in: 0..<100, using: &rng))"] = random(depth + 1) }
                return .object(o)
            }
        }
        for _ in 0..<300 {
            let v = random(0)
            let bytes = try v.serialized()
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text == (try Self.encodedViaCodable(v)))
            #expect(try KubeJSON.parse(bytes) == v)
            #expect(try KubeJSON.parse(bytes) == Self.viaCodable(text))
        }
    }
}
