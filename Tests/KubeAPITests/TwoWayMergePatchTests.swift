import Testing
@testable import KubeAPI

@Suite struct TwoWayMergePatchTests {
    func diff(_ original: String, _ modified: String, schema: any PatchSchema = mergeItem) throws -> JV {
        try StrategicMergePatch.createTwoWayMergePatch(original: try json(original), modified: try json(modified),
                                                       schema: schema)
    }

    @Test func addedChangedAndRemovedKeys() throws {
        #expect(try diff(#"{"a":1,"b":{"x":1,"y":2},"c":"s"}"#, #"{"a":2,"b":{"x":1},"d":true}"#)
                == (try json(#"{"a":2,"b":{"y":null},"c":null,"d":true}"#)))
        #expect(try diff(#"{"a":1}"#, #"{"a":1}"#) == .object([:]))
    }

    @Test func mergeListsCarryChangesDeletionsAndOrder() throws {
        // apimachinery "add an item in a list and preserve order"
        #expect(try diff(#"{"mergingList":[{"name":"1"},{"name":"2","value":"2"}]}"#,
                         #"{"mergingList":[{"name":"3","value":"3"},{"name":"1"},{"name":"2","value":"2"}]}"#)
                == (try json(#"{"$setElementOrder/mergingList":[{"name":"3"},{"name":"1"},{"name":"2"}],"mergingList":[{"name":"3","value":"3"}]}"#)))
        #expect(try diff(#"{"mergingList":[{"name":"1","value":"a"},{"name":"2"}]}"#,
                         #"{"mergingList":[{"name":"1","value":"b","other":"o"}]}"#)
                == (try json(#"{"$setElementOrder/mergingList":[{"name":"1"}],"mergingList":[{"name":"1","value":"b","other":"o"},{"name":"2","$patch":"delete"}]}"#)))
        // reorder only
        #expect(try diff(#"{"mergingList":[{"name":"1"},{"name":"2"}]}"#, #"{"mergingList":[{"name":"2"},{"name":"1"}]}"#)
                == (try json(#"{"$setElementOrder/mergingList":[{"name":"2"},{"name":"1"}]}"#)))
    }

    @Test func scalarListsUseParallelDeletionList() throws {
        #expect(try diff(#"{"mergingIntList":[1,2,3]}"#, #"{"mergingIntList":[1,4,3]}"#)
                == (try json(#"{"$setElementOrder/mergingIntList":[1,4,3],"$deleteFromPrimitiveList/mergingIntList":[2],"mergingIntList":[4]}"#)))
        #expect(try diff(#"{"nonMergingIntList":[1,2]}"#, #"{"nonMergingIntList":[2]}"#)
                == (try json(#"{"nonMergingIntList":[2]}"#)))
    }

    @Test func retainKeysStrategyListsTheKeysToKeep() throws {
        let deployment = try #require(PatchStrategies.schema(group: "apps", kind: "Deployment"))
        #expect(try diff(#"{"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}"#,
                         #"{"spec":{"strategy":{"type":"Recreate"}}}"#, schema: deployment)
                == (try json(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}}"#)))
        // each element of a retainKeys list
        let pod = try #require(PatchStrategies.schema(group: "", kind: "Pod"))
        #expect(try diff(#"{"spec":{"volumes":[{"name":"d","emptyDir":{}}]}}"#,
                         #"{"spec":{"volumes":[{"name":"d","configMap":{"name":"cm"}}]}}"#, schema: pod)
                == (try json(#"{"spec":{"$setElementOrder/volumes":[{"name":"d"}],"volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cm"},"emptyDir":null,"name":"d"}]}}"#)))
    }

    /// A small seeded generator of MergeItem documents (unique merge keys, no nulls).
    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        mutating func names() -> [String] {
            var pool = ["a", "b", "c", "d", "e", "f"]
            var out: [String] = []
            for _ in 0..<next(5) { out.append(pool.remove(at: next(pool.count))) }
            return out
        }
        mutating func item(depth: Int) -> JV {
            var o: [String: JV] = [:]
            if next(2) == 0 { o["value"] = .string(["x", "y", "z"][next(3)]) }
            if next(2) == 0 { o["mergingIntList"] = .array(names().map { .string($0) }) }
            if depth > 0, next(2) == 0 {
                o["mergingList"] = .array(names().map { n in
                    var e = item(depth: depth - 1)
                    e["name"] = .string(n)
                    return e
                })
            }
            if next(3) == 0 { o["nonMergingList"] = .array(names().map { .object(["name": .string($0)]) }) }
            if next(3) == 0 { o["simpleMap"] = .object(Dictionary(uniqueKeysWithValues: names().map { ($0, .string("v")) })) }
            return .object(o)
        }
    }

    @Test(arguments: 0..<200)
    func applyingTheDiffYieldsModified(_ seed: Int) throws {
        var g = Generator(state: UInt64(seed) &* 0x9E3779B97F4A7C15 &+ 1)
        let original = g.item(depth: 2)
        let modified = g.item(depth: 2)
        let patch = try StrategicMergePatch.createTwoWayMergePatch(original: original, modified: modified, schema: mergeItem)
        let result = try StrategicMergePatch.apply(patch: patch, to: original, schema: mergeItem)
        #expect(result == modified, "original \(render(original))\nmodified \(render(modified))\npatch \(render(patch))\ngot \(render(result))")
        // and the diff of equal documents is empty
        #expect(try StrategicMergePatch.createTwoWayMergePatch(original: modified, modified: modified, schema: mergeItem)
                == .object([:]))
    }
}
