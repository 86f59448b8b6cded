import Testing
@testable import KubeAPI

/// The test target has its own `JSONValue` (for comparing encodings); patches work on KubeAPI's.
typealias JV = KubeAPI.JSONValue

func json(_ text: String) throws -> JV {
    try JV.parse(Array(text.utf8))
}

func render(_ v: JV) -> String {
    (try? v.serialized()).map { String(decoding: $0, as: UTF8.self) } ?? "<unserializable>"
}

/// The error a patch threw, or nil when it applied.
func patchError(_ body: () throws(PatchError) -> JV) -> PatchError? {
    do throws(PatchError) {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
