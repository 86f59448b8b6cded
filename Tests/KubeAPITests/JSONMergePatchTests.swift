import Testing
@testable import KubeAPI

@Suite struct JSONMergePatchTests {
    // RFC 7386 appendix A (the document there is always an object, as Kubernetes objects are).
    static let rfcExamples: [(String, String, String)] = [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ]

    @Test(arguments: rfcExamples)
    func rfcAppendix(_ doc: String, _ patch: String, _ expected: String) throws {
        #expect(try JSONMergePatch.apply(try json(patch), to: try json(doc)) == (try json(expected)))
    }

    @Test func nullsInsideReplacingValuesArePrunedAsV4Does() throws {
        // into an absent member: pruned at every depth, array elements kept
        #expect(try JSONMergePatch.apply(try json(#"{"a":[{"x":null,"y":1},null]}"#), to: try json("{}"))
                == (try json(#"{"a":[{"y":1},null]}"#)))
        // a scalar replaced by an object: pruned
        #expect(try JSONMergePatch.apply(try json(#"{"a":{"x":null,"y":1}}"#), to: try json(#"{"a":5}"#))
                == (try json(#"{"a":{"y":1}}"#)))
    }

    @Test func deepMergeKeepsUntouchedMembers() throws {
        let live = try json(#"{"metadata":{"name":"p","labels":{"a":"1","b":"2"}},"spec":{"containers":[{"name":"c"}]}}"#)
        let patch = try json(#"{"metadata":{"labels":{"b":null,"c":"3"}},"spec":{"containers":[{"name":"d"}]}}"#)
        #expect(try JSONMergePatch.apply(patch, to: live)
                == (try json(#"{"metadata":{"name":"p","labels":{"a":"1","c":"3"}},"spec":{"containers":[{"name":"d"}]}}"#)))
    }

    @Test func nullPatchOrScalarPatchIsABadRequest() throws {
        let e1 = try #require(patchError { () throws(PatchError) in try JSONMergePatch.apply(.null, to: .object([:])) })
        #expect(e1.reason == .badRequest && e1.detail == "Invalid JSON Patch")
        let e2 = try #require(patchError { () throws(PatchError) in try JSONMergePatch.apply(.string("x"), to: .object([:])) })
        #expect(e2.code == 400)
    }
}
