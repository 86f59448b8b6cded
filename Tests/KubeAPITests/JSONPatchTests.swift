import Testing
@testable import KubeAPI

@Suite struct JSONPatchTests {
    func apply(_ doc: String, _ patch: String) throws -> JV {
        try JSONPatch.apply(try json(patch), to: try json(doc))
    }

    func failure(_ doc: String, _ patch: String) throws -> PatchError? {
        let d = try json(doc), p = try json(patch)
        return patchError { () throws(PatchError) in try JSONPatch.apply(p, to: d) }
    }

    // RFC 6902 appendix A, where v4 agrees with the RFC.
    static let rfcExamples: [(String, String, String)] = [
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"baz":"qux","foo":"bar"}"#),
        (#"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","qux","baz"]}"#),
        (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#),
        (#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","baz"]}"#),
        (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"boo","foo":"bar"}"#),
        (#"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
         #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
         #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#),
        (#"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
         #"{"foo":["all","cows","eat","grass"]}"#),
        (#"{"baz":"qux","foo":["a",2,"c"]}"#,
         #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
         #"{"baz":"qux","foo":["a",2,"c"]}"#),
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#,
         #"{"child":{"grandchild":{}},"foo":"bar"}"#),
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, #"{"baz":"qux","foo":"bar"}"#),
        (#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#),
        (#"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, #"{"foo":["bar",["abc","def"]]}"#),
        (#"{"a/b":{"m~n":1}}"#, #"[{"op":"replace","path":"/a~1b/m~0n","value":2}]"#, #"{"a/b":{"m~n":2}}"#),
        (#"{"a":{"b":[1,2]}}"#, #"[{"op":"copy","from":"/a/b","path":"/c"}]"#, #"{"a":{"b":[1,2]},"c":[1,2]}"#),
        (#"{"a":[1,2,3]}"#, #"[{"op":"copy","from":"/a/0","path":"/a/-"}]"#, #"{"a":[1,2,3,1]}"#),
    ]

    @Test(arguments: rfcExamples)
    func rfcAppendix(_ doc: String, _ patch: String, _ expected: String) throws {
        #expect(try apply(doc, patch) == (try json(expected)))
    }

    @Test func operationsApplyInOrderAndSeeEarlierResults() throws {
        let out = try apply(#"{"metadata":{"labels":{"a":"1"}}}"#, """
            [{"op":"add","path":"/metadata/annotations","value":{}},
             {"op":"add","path":"/metadata/annotations/x~1y","value":"v"},
             {"op":"move","from":"/metadata/labels/a","path":"/metadata/labels/b"},
             {"op":"test","path":"/metadata/labels/b","value":"1"}]
            """)
        #expect(out == (try json(#"{"metadata":{"labels":{"b":"1"},"annotations":{"x/y":"v"}}}"#)))
    }

    @Test func negativeIndexesCountFromTheEnd() throws {
        #expect(try apply(#"{"a":[1,2,3]}"#, #"[{"op":"remove","path":"/a/-1"}]"#) == (try json(#"{"a":[1,2]}"#)))
        #expect(try apply(#"{"a":[1,2,3]}"#, #"[{"op":"add","path":"/a/-1","value":9}]"#) == (try json(#"{"a":[1,2,3,9]}"#)))
        #expect(try apply(#"{"a":[1,2,3]}"#, #"[{"op":"replace","path":"/a/-3","value":0}]"#) == (try json(#"{"a":[0,2,3]}"#)))
    }

    @Test func v4QuirksThatClientsObserve() throws {
        // replace of a missing member adds it
        #expect(try apply(#"{"a":1}"#, #"[{"op":"replace","path":"/b","value":2}]"#) == (try json(#"{"a":1,"b":2}"#)))
        // test of a missing member against null passes
        #expect(try apply(#"{"a":1}"#, #"[{"op":"test","path":"/b","value":null}]"#) == (try json(#"{"a":1}"#)))
        // copy from a missing member copies null
        #expect(try apply(#"{"a":1}"#, #"[{"op":"copy","from":"/x","path":"/b"}]"#) == (try json(#"{"a":1,"b":null}"#)))
        // add without a value adds null
        #expect(try apply(#"{}"#, #"[{"op":"add","path":"/b"}]"#) == (try json(#"{"b":null}"#)))
        // replace of the whole document
        #expect(try apply(#"{"a":1}"#, #"[{"op":"replace","path":"","value":{"z":0}}]"#) == (try json(#"{"z":0}"#)))
        // test of the whole document
        #expect(try apply(#"{"a":1}"#, #"[{"op":"test","path":"","value":{"a":1}}]"#) == (try json(#"{"a":1}"#)))
        // a null patch is an empty patch
        #expect(try apply(#"{"a":1}"#, "null") == (try json(#"{"a":1}"#)))
    }

    static let failures: [(String, String, PatchError.Reason, String)] = [
        (#"{"a":1}"#, #"[{"op":"test","path":"/a","value":2}]"#, .invalid, "testing value /a failed: test failed"),
        (#"{"a":1}"#, #"[{"op":"test","path":"","value":{}}]"#, .invalid, "testing value  failed: test failed"),
        (#"{"a":1}"#, #"[{"op":"test","path":"/a"}]"#, .invalid, "testing value /a failed: test failed"),
        (#"{"a":[1]}"#, #"[{"op":"test","path":"/a/3","value":1}]"#, .invalid,
         "error in test for path: '/a/3': Unable to access invalid index: 3: invalid index referenced"),
        (#"{"a":1}"#, #"[{"op":"add","path":"/x/y","value":2}]"#, .invalid,
         #"add operation does not apply: doc is missing path: "/x/y": missing value"#),
        (#"{"a":1}"#, #"[{"op":"add","path":"/a/y","value":2}]"#, .invalid,
         #"add operation does not apply: doc is missing path: "/a/y": missing value"#),
        (#"{"a":[]}"#, #"[{"op":"add","path":"/a/5","value":2}]"#, .invalid,
         "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"),
        (#"{"a":[]}"#, #"[{"op":"add","path":"/a/x","value":2}]"#, .invalid,
         #"error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax"#),
        (#"{"a":1}"#, #"[{"op":"remove","path":"/b"}]"#, .invalid,
         "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value"),
        (#"{"a":[1]}"#, #"[{"op":"remove","path":"/a/1"}]"#, .invalid,
         "error in remove for path: '/a/1': Unable to access invalid index: 1: invalid index referenced"),
        (#"{"a":1}"#, #"[{"op":"remove","path":"/x/b"}]"#, .invalid,
         #"remove operation does not apply: doc is missing path: "/x/b": missing value"#),
        (#"{"a":[1]}"#, #"[{"op":"replace","path":"/a/4","value":0}]"#, .invalid,
         "replace operation does not apply: doc is missing key: /a/4: missing value"),
        (#"{"a":1}"#, #"[{"op":"replace","path":"/x/y","value":0}]"#, .invalid,
         "replace operation does not apply: doc is missing path: /x/y: missing value"),
        (#"{"a":1}"#, #"[{"op":"replace","path":"","value":3}]"#, .invalid,
         "replace operation value must be object or array: %!w(<nil>)"),
        (#"{"a":1}"#, #"[{"op":"move","from":"/b","path":"/c"}]"#, .invalid,
         "error in move for path: 'b': Unable to remove nonexistent key: b: missing value"),
        (#"{"a":1}"#, #"[{"op":"move","from":"/x/b","path":"/c"}]"#, .invalid,
         "move operation does not apply: doc is missing from path: /x/b: missing value"),
        (#"{"a":{"b":1}}"#, #"[{"op":"move","from":"/a","path":"/a/b/c"}]"#, .invalid,
         "move operation does not apply: doc is missing destination path: /a/b/c: missing value"),
        (#"{"a":1}"#, #"[{"op":"copy","from":"/a","path":"/x/y"}]"#, .invalid,
         "copy operation does not apply: doc is missing destination path: /x/y: missing value"),
        (#"{"a":1}"#, #"[{"op":"add","value":1}]"#, .invalid, "add operation failed to decode path: missing value"),
        (#"{"a":1}"#, #"[{"op":"replace","value":1}]"#, .invalid,
         "replace operation failed to decode path: operation missing path field: missing value"),
        (#"{"a":1}"#, #"[{"op":"move","path":"/b"}]"#, .invalid,
         "move operation failed to decode from: operation, missing from field: missing value"),
        (#"{"a":1}"#, #"[{"op":"test","path":5}]"#, .invalid,
         "test operation failed to decode path: json: cannot unmarshal number into Go value of type string"),
        (#"{"a":1}"#, #"[{"op":"frobnicate","path":"/a"}]"#, .invalid, "Unexpected kind: frobnicate"),
        (#"{"a":1}"#, #"[{"path":"/a"}]"#, .invalid, "Unexpected kind: unknown"),
        (#"{"a":1}"#, #"{"op":"add"}"#, .badRequest, "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
        (#"{"a":1}"#, #"["add"]"#, .badRequest, "json: cannot unmarshal string into Go value of type jsonpatch.Operation"),
    ]

    @Test(arguments: failures)
    func errorsAsKubernetesReportsThem(_ doc: String, _ patch: String, _ reason: PatchError.Reason,
                                       _ detail: String) throws {
        let error = try #require(try failure(doc, patch))
        #expect(error.reason == reason)
        #expect(error.detail == detail)
    }

    @Test func aFailedOperationLeavesNothingApplied() throws {
        let error = try #require(try failure(#"{"a":1}"#,
            #"[{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":0}]"#))
        #expect(error.status.code == 422)
        #expect(error.status.reason == "Invalid")
        #expect(error.status.message == "the server rejected our request due to an error in our request")
    }

    @Test func tooManyOperationsIsRefused() throws {
        let ops = JV.array(Array(repeating: .object(["op": .string("test"), "path": .string("/a"), "value": .integer(1)]),
                                 count: JSONPatch.maxOperations + 1))
        let error = try #require(patchError { () throws(PatchError) in try JSONPatch.apply(ops, to: .object([:])) })
        #expect(error.code == 413)
        #expect(error.detail == "The allowed maximum operations in a JSON patch is 10000, got 10001")
    }

    @Test func pointerTokensDecodeTildeOneBeforeTildeZero() {
        #expect(JSONPointer.decode("~01") == "~1")
        #expect(JSONPointer.decode("a~1b~0c") == "a/b~c")
        #expect(JSONPointer.split("/a/b").parents == ["a"])
        #expect(JSONPointer.split("nokey").parents == nil)
    }
}
