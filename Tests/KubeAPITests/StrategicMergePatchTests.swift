import Testing
@testable import KubeAPI

/// A schema in the shape of apimachinery's own test type (MergeItem): every strategy in one place.
let mergeItem: PatchSchemaNode = {
    var item = PatchSchemaNode("MergeItem")
    let leaf = PatchSchemaNode("MergeItem", fields: [
        "mergingList": .list(by: "name"),
        "mergingIntList": .scalarSet,
    ])
    item.fields = [
        "mergingList": .list(by: "name", leaf),
        "nonMergingList": .atomicList(leaf),
        "mergingIntList": .scalarSet,
        "nonMergingIntList": PatchSchemaNode.Field(isList: true),
        "replacingItem": .object(.empty, strategy: .replace),
        "retainKeysMap": .object(PatchSchemaNode("RetainKeysMergeItem", fields: [
            "mergingList": .list(by: "name"),
            "mergingIntList": .scalarSet,
        ]), strategy: .retainKeys),
        "retainKeysMergingList": .list(by: "name", retainKeys: true),
    ]
    return item
}()

@Suite struct StrategicMergePatchTests {
    func smp(_ live: String, _ patch: String, schema: any PatchSchema = mergeItem) throws -> JV {
        try StrategicMergePatch.apply(patch: try json(patch), to: try json(live), schema: schema)
    }

    func expectSMP(_ live: String, _ patch: String, _ expected: String, schema: any PatchSchema = mergeItem,
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let got = try smp(live, patch, schema: schema)
        let want = try json(expected)
        #expect(got == want, "got \(render(got))", sourceLocation: sourceLocation)
    }

    func smpError(_ live: String, _ patch: String, schema: any PatchSchema = mergeItem) throws -> PatchError? {
        let l = try json(live), p = try json(patch)
        return patchError { () throws(PatchError) in try StrategicMergePatch.apply(patch: p, to: l, schema: schema) }
    }

    // MARK: maps

    @Test func nullDeletesAndObjectsMergeRecursively() throws {
        try expectSMP(#"{"a":1,"m":{"x":1,"y":2},"s":"v"}"#, #"{"a":null,"m":{"y":null,"z":3},"n":{"k":null,"j":1}}"#,
                      #"{"m":{"x":1,"z":3},"s":"v","n":{"j":1}}"#)
    }

    @Test func patchReplaceOnAMapReplacesIt() throws {
        try expectSMP(#"{"m":{"x":1,"y":2},"o":1}"#, #"{"m":{"$patch":"replace","z":3}}"#, #"{"m":{"z":3},"o":1}"#)
        try expectSMP(#"{"name":1,"value":1}"#, #"{"$patch":"replace","other":"a"}"#, #"{"other":"a"}"#)
    }

    @Test func patchDeleteOnAMapEmptiesIt() throws {
        try expectSMP(#"{"m":{"x":1},"o":1}"#, #"{"m":{"$patch":"delete"}}"#, #"{"m":{},"o":1}"#)
        // on a field the object does not have, the directive map is dropped entirely
        try expectSMP(#"{"o":1}"#, #"{"m":{"$patch":"delete"}}"#, #"{"o":1}"#)
        try expectSMP(#"{"o":1}"#, #"{"m":{"$patch":"replace","a":1}}"#, #"{"o":1}"#)
    }

    @Test func replaceStrategyTakesThePatchMapWhole() throws {
        try expectSMP(#"{"replacingItem":{"a":1,"b":2}}"#, #"{"replacingItem":{"c":3,"d":null}}"#,
                      #"{"replacingItem":{"c":3}}"#)
    }

    @Test func unknownMapDirectiveIsAnError() throws {
        let e = try #require(try smpError(#"{"m":{"a":1}}"#, #"{"m":{"$patch":"merge","b":2}}"#))
        #expect(e.code == 500)
        #expect(e.detail == "unknown patch type: merge in map: map[$patch:merge b:2]")
    }

    @Test func typeChangesReplaceTheValue() throws {
        try expectSMP(#"{"a":{"x":1},"b":[1],"c":"s","d":1}"#, #"{"a":"now","b":{"k":null,"v":1},"c":[1],"d":1.5}"#,
                      #"{"a":"now","b":{"v":1},"c":[1],"d":1.5}"#)
    }

    @Test func newValuesLoseNullsAndDirectiveBearingMaps() throws {
        try expectSMP(#"{}"#, #"{"mergingList":[{"name":"a","value":null},{"name":"b","$patch":"delete"}]}"#,
                      #"{"mergingList":[{"name":"a"}]}"#)
    }

    // MARK: merging lists of maps

    @Test func mergeByKeyMergesMatchesAndAddsNewOnesFirst() throws {
        // Without $setElementOrder a new element goes before the live-only elements (as Go does).
        try expectSMP(#"{"mergingList":[{"name":"1","value":"a"},{"name":"2","value":"b"}]}"#,
                      #"{"mergingList":[{"name":"2","other":"x"},{"name":"3","value":"c"}]}"#,
                      #"{"mergingList":[{"name":"1","value":"a"},{"name":"2","value":"b","other":"x"},{"name":"3","value":"c"}]}"#)
        try expectSMP(#"{"mergingList":[{"name":"1"},{"name":"2"}]}"#, #"{"mergingList":[{"name":"9"}]}"#,
                      #"{"mergingList":[{"name":"9"},{"name":"1"},{"name":"2"}]}"#)
    }

    @Test func patchOrderWinsForElementsItNames() throws {
        // apimachinery: "preserve the order from the patch in a merging list"
        try expectSMP(#"{"mergingList":[{"name":"1"},{"name":"2","value":"b"},{"name":"3"}]}"#,
                      #"{"mergingList":[{"name":"3","value":"c"},{"name":"1","value":"a"},{"name":"2","other":"x"}]}"#,
                      #"{"mergingList":[{"name":"3","value":"c"},{"name":"1","value":"a"},{"name":"2","value":"b","other":"x"}]}"#)
        // "... 2": the live-only element keeps its place before later patch elements
        try expectSMP(#"{"mergingList":[{"name":"1"},{"name":"2","value":"b"},{"name":"3"}]}"#,
                      #"{"mergingList":[{"name":"3","value":"c"},{"name":"1","value":"a"}]}"#,
                      #"{"mergingList":[{"name":"2","value":"b"},{"name":"3","value":"c"},{"name":"1","value":"a"}]}"#)
    }

    @Test func deleteDirectiveRemovesEveryMatch() throws {
        try expectSMP(#"{"mergingList":[{"name":"1"},{"name":"1"},{"name":"2","value":"a"},{"name":"3"},{"name":"3"}]}"#,
                      #"{"mergingList":[{"name":"1","$patch":"delete"},{"name":"3","$patch":"delete"}]}"#,
                      #"{"mergingList":[{"name":"2","value":"a"}]}"#)
        // deleting what is not there is fine
        try expectSMP(#"{"mergingList":[{"name":"1"}]}"#, #"{"mergingList":[{"name":"7","$patch":"delete"}]}"#,
                      #"{"mergingList":[{"name":"1"}]}"#)
        // add and delete in one patch
        try expectSMP(#"{"mergingList":[{"name":"1"},{"name":"2"}]}"#,
                      #"{"mergingList":[{"name":"1","$patch":"delete"},{"name":"3","value":"x"}]}"#,
                      #"{"mergingList":[{"name":"3","value":"x"},{"name":"2"}]}"#)
    }

    @Test func replaceDirectiveInAListReplacesIt() throws {
        try expectSMP(#"{"mergingList":[{"name":"1"},{"name":"2"}]}"#, #"{"mergingList":[{"$patch":"replace"}]}"#,
                      #"{"mergingList":[]}"#)
        try expectSMP(#"{"mergingList":[{"name":"1","value":"a"},{"name":"2"}]}"#,
                      #"{"mergingList":[{"name":"1"},{"$patch":"replace"}]}"#, #"{"mergingList":[{"name":"1"}]}"#)
    }

    @Test func listDirectiveErrors() throws {
        let merge = try #require(try smpError(#"{"mergingList":[{"name":"1"}]}"#, #"{"mergingList":[{"$patch":"merge"}]}"#))
        #expect(merge.detail == "merging lists cannot yet be specified in the patch")
        let bogus = try #require(try smpError(#"{"mergingList":[{"name":"1"}]}"#,
                                              #"{"mergingList":[{"$patch":"bogus","name":"1"}]}"#))
        #expect(bogus.detail == "unknown patch type: bogus in map: map[$patch:bogus name:1]")
        let noKey = try #require(try smpError(#"{"mergingList":[{"name":"1"}]}"#, #"{"mergingList":[{"$patch":"delete"}]}"#))
        #expect(noKey.detail == "map: map[$patch:delete] does not contain declared merge key: name")
    }

    @Test func missingMergeKeyIsAnError() throws {
        let e = try #require(try smpError(#"{"mergingList":[{"name":"1","value":"a"}]}"#, #"{"mergingList":[{"value":"b"}]}"#))
        #expect(e.code == 500)
        #expect(e.reason == .unknown)
        #expect(e.detail == "map: map[value:b] does not contain declared merge key: name")
        // a live element without the key fails too, as in Go
        let live = try #require(try smpError(#"{"mergingList":[{"value":"a"}]}"#, #"{"mergingList":[{"name":"1"}]}"#))
        #expect(live.detail == "map: map[value:a] does not contain declared merge key: name")
    }

    @Test func nestedMergeListsMergeToo() throws {
        try expectSMP(#"{"mergingList":[{"name":"1","mergingList":[{"name":"a","value":"1"},{"name":"b"}]},{"name":"2"}]}"#,
                      #"{"mergingList":[{"name":"1","mergingList":[{"name":"a","value":null,"other":"o"}]}]}"#,
                      #"{"mergingList":[{"name":"1","mergingList":[{"name":"a","other":"o"},{"name":"b"}]},{"name":"2"}]}"#)
    }

    @Test func listsWithoutStrategyAreReplaced() throws {
        try expectSMP(#"{"nonMergingList":[{"name":"1"},{"name":"2"}],"nonMergingIntList":[1,2]}"#,
                      #"{"nonMergingList":[{"name":"3","value":null}],"nonMergingIntList":[3]}"#,
                      #"{"nonMergingList":[{"name":"3"}],"nonMergingIntList":[3]}"#)
    }

    @Test func emptyListsMerge() throws {
        try expectSMP(#"{"mergingList":[]}"#, #"{"mergingList":[]}"#, #"{"mergingList":[]}"#)
        try expectSMP(#"{"mergingList":[{"name":"1"}]}"#, #"{"mergingList":[]}"#, #"{"mergingList":[{"name":"1"}]}"#)
    }

    @Test func listsOfListsAndMixedElementsAreRejected() throws {
        let lists = try #require(try smpError(#"{"mergingIntList":[[1]]}"#, #"{"mergingIntList":[[2]]}"#))
        #expect(lists.code == 422 && lists.detail == "lists of lists are not supported")
        let mixed = try #require(try smpError(#"{"mergingIntList":[1]}"#, #"{"mergingIntList":["a"]}"#))
        #expect(mixed.detail == "list element types are not identical: [[1] [a]]")
    }

    // MARK: lists of scalars

    @Test func scalarMergeListsAreUnions() throws {
        try expectSMP(#"{"mergingIntList":[1,2]}"#, #"{"mergingIntList":[2,3]}"#, #"{"mergingIntList":[1,2,3]}"#)
        try expectSMP(#"{"mergingIntList":[1,2,2]}"#, #"{"mergingIntList":[2,3,3]}"#, #"{"mergingIntList":[1,2,3]}"#)
        // the patch's order for what it names, live order for the rest
        try expectSMP(#"{"mergingIntList":[1,2,3]}"#, #"{"mergingIntList":[3,1]}"#, #"{"mergingIntList":[2,3,1]}"#)
        try expectSMP(#"{"mergingIntList":[1,2,3]}"#, #"{"mergingIntList":[3,1,2]}"#, #"{"mergingIntList":[3,1,2]}"#)
    }

    @Test func deleteFromPrimitiveList() throws {
        try expectSMP(#"{"mergingIntList":[1,2,3]}"#, #"{"$deleteFromPrimitiveList/mergingIntList":[2]}"#,
                      #"{"mergingIntList":[1,3]}"#)
        // whatever the list's strategy
        try expectSMP(#"{"nonMergingIntList":[1,2,3]}"#, #"{"$deleteFromPrimitiveList/nonMergingIntList":[2]}"#,
                      #"{"nonMergingIntList":[1,3]}"#)
        // nothing to delete, no list to delete from: unchanged, nothing added
        try expectSMP(#"{"mergingIntList":[1,2]}"#, #"{"$deleteFromPrimitiveList/mergingIntList":[3]}"#,
                      #"{"mergingIntList":[1,2]}"#)
        try expectSMP(#"{"foo":["bar"]}"#, #"{"$deleteFromPrimitiveList/mergingIntList":[3]}"#, #"{"foo":["bar"]}"#)
        // add and delete together
        try expectSMP(#"{"mergingIntList":[1,2]}"#, #"{"mergingIntList":[3],"$deleteFromPrimitiveList/mergingIntList":[1]}"#,
                      #"{"mergingIntList":[3,2]}"#)
        let bad = try #require(try smpError(#"{"a":1}"#, #"{"$deleteFromPrimitiveListmergingIntList":[1]}"#))
        #expect(bad.code == 400 && bad.detail == "invalid patch format of primitive list")
    }

    // MARK: $setElementOrder

    @Test func setElementOrderOrdersMergedList() throws {
        // apimachinery "add an item in a list and preserve order", three-way result
        try expectSMP(#"{"mergingList":[{"name":"1","other":"a"},{"name":"2","value":"2","other":"b"}]}"#,
                      #"{"$setElementOrder/mergingList":[{"name":"3"},{"name":"1"},{"name":"2"}],"mergingList":[{"name":"3","value":"3"}]}"#,
                      #"{"mergingList":[{"name":"3","value":"3"},{"name":"1","other":"a"},{"name":"2","value":"2","other":"b"}]}"#)
        // "add multiple items in a list and preserve order"
        try expectSMP(#"{"mergingList":[{"name":"1","other":"a"},{"name":"2","value":"2","other":"b"}]}"#,
                      #"{"$setElementOrder/mergingList":[{"name":"1"},{"name":"4"},{"name":"2"},{"name":"3"}],"mergingList":[{"name":"4","value":"4"},{"name":"3","value":"3"}]}"#,
                      #"{"mergingList":[{"name":"1","other":"a"},{"name":"4","value":"4"},{"name":"2","value":"2","other":"b"},{"name":"3","value":"3"}]}"#)
    }

    @Test func setElementOrderWithServerOnlyItems() throws {
        // live-only "3" stays after "1" (its live predecessor), new "2" lands in order
        try expectSMP(#"{"mergeItemPtr":0,"mergingList":[{"name":"1","other":"a"},{"name":"3"}]}"#,
                      #"{"$setElementOrder/mergingList":[{"name":"1"},{"name":"2"}],"mergingList":[{"name":"2"}]}"#,
                      #"{"mergeItemPtr":0,"mergingList":[{"name":"1","other":"a"},{"name":"2"},{"name":"3"}]}"#)
        // reorder only: no list in the patch
        try expectSMP(#"{"mergingList":[{"name":"1"},{"name":"2"},{"name":"3"}]}"#,
                      #"{"$setElementOrder/mergingList":[{"name":"3"},{"name":"2"},{"name":"1"}]}"#,
                      #"{"mergingList":[{"name":"3"},{"name":"2"},{"name":"1"}]}"#)
        // elements in the order list the live object lacks are ignored
        try expectSMP(#"{"mergingList":[{"name":"1"},{"name":"3"}]}"#,
                      #"{"$setElementOrder/mergingList":[{"name":"3"},{"name":"2"},{"name":"1"}],"mergingList":[{"name":"3","value":"3"},{"name":"1","value":"1"}]}"#,
                      #"{"mergingList":[{"name":"3","value":"3"},{"name":"1","value":"1"}]}"#)
    }

    @Test func setElementOrderWithDeletion() throws {
        try expectSMP(#"{"mergingList":[{"name":"1"},{"name":"3","value":"3"},{"name":"2","value":"2"}]}"#,
                      #"{"$setElementOrder/mergingList":[{"name":"2"},{"name":"1"}],"mergingList":[{"name":"3","$patch":"delete"}]}"#,
                      #"{"mergingList":[{"name":"2","value":"2"},{"name":"1"}]}"#)
    }

    @Test func setElementOrderForScalars() throws {
        try expectSMP(#"{"mergingIntList":[1,3]}"#, #"{"$setElementOrder/mergingIntList":[3,2,1]}"#,
                      #"{"mergingIntList":[3,1]}"#)
        try expectSMP(#"{"mergingIntList":[1,2]}"#, #"{"$setElementOrder/mergingIntList":[1,3,2],"mergingIntList":[3]}"#,
                      #"{"mergingIntList":[1,3,2]}"#)
        // with a deletion list alongside
        try expectSMP(#"{"mergingIntList":[1,2,3]}"#,
                      #"{"$setElementOrder/mergingIntList":[3,1],"$deleteFromPrimitiveList/mergingIntList":[2]}"#,
                      #"{"mergingIntList":[3,1]}"#)
    }

    @Test func setElementOrderMustAgreeWithThePatch() throws {
        let e = try #require(try smpError(#"{"mergingList":[{"name":"1"},{"name":"3"},{"name":"2"}]}"#,
            #"{"$setElementOrder/mergingList":[{"name":"1"},{"name":"2"},{"name":"3"}],"mergingList":[{"name":"3","value":"3"},{"name":"1","value":"1"}]}"#))
        #expect(e.detail.contains("doesn't match"))
        #expect(e.detail == "The order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]\n")
        let ints = try #require(try smpError(#"{"mergingIntList":[1,3,2]}"#,
            #"{"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3,1]}"#))
        #expect(ints.detail.contains("doesn't match"))
        let format = try #require(try smpError(#"{"a":1}"#, #"{"$setElementOrderX":[1]}"#))
        #expect(format.code == 400 && format.detail == "invalid patch format of setElementOrder list")
    }

    // MARK: $retainKeys

    @Test func retainKeysClearsUnlistedKeys() throws {
        try expectSMP(#"{"retainKeysMap":{"name":"foo","value":"a","other":"x"}}"#,
                      #"{"retainKeysMap":{"$retainKeys":["name","value"],"value":"b"}}"#,
                      #"{"retainKeysMap":{"name":"foo","value":"b"}}"#)
        // and can add a field
        try expectSMP(#"{"retainKeysMap":{"name":"foo"}}"#,
                      #"{"retainKeysMap":{"$retainKeys":["name","other"],"other":"o"}}"#,
                      #"{"retainKeysMap":{"name":"foo","other":"o"}}"#)
        // null deletions need not be listed
        try expectSMP(#"{"retainKeysMap":{"name":"foo","value":"a"}}"#,
                      #"{"retainKeysMap":{"$retainKeys":["name"],"value":null}}"#,
                      #"{"retainKeysMap":{"name":"foo"}}"#)
        // without the directive it merges as usual
        try expectSMP(#"{"retainKeysMap":{"name":"foo","value":"a"}}"#, #"{"retainKeysMap":{"value":"b"}}"#,
                      #"{"retainKeysMap":{"name":"foo","value":"b"}}"#)
    }

    @Test func retainKeysInListElements() throws {
        try expectSMP(#"{"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a","other":"o"}]}"#,
                      #"{"retainKeysMergingList":[{"name":"foo","$retainKeys":["name","value"],"value":"b"}]}"#,
                      #"{"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"b"}]}"#)
    }

    @Test func retainKeysRejectsUnlistedPatchKeys() throws {
        let e = try #require(try smpError(#"{"retainKeysMap":{"name":"foo"}}"#,
                                          #"{"retainKeysMap":{"$retainKeys":["name"],"value":"b"}}"#))
        #expect(e.code == 400 && e.detail == "invalid patch format of retainKeys")
        let notList = try #require(try smpError(#"{"retainKeysMap":{"name":"foo"}}"#,
                                                #"{"retainKeysMap":{"$retainKeys":"name"}}"#))
        #expect(notList.detail == "invalid patch format of retainKeys")
    }

    // MARK: top level

    @Test func nullPatchIsNoOpAndNonObjectPatchIsBadRequest() throws {
        try expectSMP(#"{"a":1}"#, "null", #"{"a":1}"#)
        let e = try #require(try smpError(#"{"a":1}"#, "[1]"))
        #expect(e.code == 400 && e.detail == "json: cannot unmarshal array into Go value of type map[string]interface {}")
    }

    @Test func noSchemaMeansJSONMergePatch() throws {
        let got = try StrategicMergePatch.apply(patch: try json(#"{"spec":{"list":[{"name":"b"}],"x":null}}"#),
                                                to: try json(#"{"spec":{"list":[{"name":"a"}],"x":1,"y":2}}"#), schema: nil)
        #expect(got == (try json(#"{"spec":{"list":[{"name":"b"}],"y":2}}"#)))
    }

    @Test func emptySchemaMergesMapsAndReplacesLists() throws {
        try expectSMP(#"{"spec":{"list":[{"name":"a"}],"m":{"x":1}}}"#, #"{"spec":{"list":[{"name":"b"}],"m":{"y":2}}}"#,
                      #"{"spec":{"list":[{"name":"b"}],"m":{"x":1,"y":2}}}"#, schema: PatchSchemaNode.empty)
    }
}
