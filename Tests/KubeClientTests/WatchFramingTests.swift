import KubeAPI
@testable import KubeClient
import Testing

@Suite struct WatchFramingTests {
    static let events = [
        #"{"type":"ADDED","object":{"metadata":{"name":"a","namespace":"n","resourceVersion":"1","annotations":{"k":"a \"quoted\" } brace [x"}}}}"#,
        #"{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"n","resourceVersion":"2","labels":{"e":"\\"}}}}"#,
        #"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}"#,
    ]

    /// Every way of cutting the stream in two yields the same documents.
    @Test func everySplitPointYieldsTheSameEvents() throws {
        let stream = Array((Self.events.joined(separator: "\n") + "\n").utf8)
        let whole = Self.events.map { Array($0.utf8) }
        for cut in 0...stream.count {
            var framer = JSONStreamFramer()
            let docs = try framer.append(stream[..<cut]) + framer.append(stream[cut...])
            #expect(docs == whole, "cut at \(cut)")
        }
    }

    @Test func byteByByteAndWithoutNewlines() throws {
        let stream = Array(Self.events.joined().utf8)
        var framer = JSONStreamFramer()
        var docs: [[UInt8]] = []
        for b in stream { docs += try framer.append([b]) }
        #expect(docs.count == 3)
        #expect(!framer.hasPartialDocument)
        let decoded = try docs.map { try WatchChange<Pod>.decode($0) }
        #expect(decoded[0].object?.metadata.annotations?["k"] == "a \"quoted\" } brace [x")
        #expect(decoded[1].object?.metadata.labels?["e"] == "\\")
        #expect(decoded[2] == .bookmark(resourceVersion: "9"))
    }

    @Test func partialDocumentIsHeld() throws {
        var framer = JSONStreamFramer()
        #expect(try framer.append(Array(#"{"type":"ADD"#.utf8)).isEmpty)
        #expect(framer.hasPartialDocument)
    }

    @Test func errorEventThrowsItsStatus() {
        let gone = Array(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old","reason":"Expired","code":410}}"#.utf8)
        do {
            _ = try WatchChange<Pod>.decode(gone)
            Issue.record("no error")
        } catch {
            #expect(error.isGone)
            #expect(error.code == 410)
        }
        let unknown = Array(#"{"type":"WAT","object":{}}"#.utf8)
        #expect(throws: KubeClientError.self) { try WatchChange<Pod>.decode(unknown) }
    }
}

@Suite struct ResourcePathTests {
    @Test func pathsFromTheCatalog() throws {
        #expect(try ResourcePath(for: Pod.self).path(namespace: "ns", name: "p", subresource: "status")
            == "/api/v1/namespaces/ns/pods/p/status")
        #expect(try ResourcePath(for: Pod.self).path(namespace: nil) == "/api/v1/pods")
        #expect(try ResourcePath(for: Node.self).path(namespace: "ignored", name: "n1") == "/api/v1/nodes/n1")
        #expect(try ResourcePath(for: Deployment.self).path(namespace: "d", name: "x", subresource: "scale")
            == "/apis/apps/v1/namespaces/d/deployments/x/scale")
        #expect(try ResourcePath(for: Lease.self).path(namespace: "kube-system", name: "sched")
            == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/sched")
        #expect(try ResourcePath(for: EndpointSlice.self).path(namespace: "a")
            == "/apis/discovery.k8s.io/v1/namespaces/a/endpointslices")
    }

    @Test func mistakesAreRefused() {
        #expect(throws: KubeClientError.self) { try ResourcePath(for: Pod.self).path(namespace: nil, name: "p") }
        #expect(throws: KubeClientError.self) { try ResourcePath(for: ConfigMap.self).path(namespace: "n", name: "c", subresource: "scale") }
        #expect(throws: KubeClientError.self) { try ResourcePath(for: Scale.self) }
    }

    @Test func queryEncoding() {
        #expect(ListOptions(labelSelector: "a in (x,y)", limit: 5).query == "?labelSelector=a%20in%20%28x%2Cy%29&limit=5")
        #expect(WatchOptions(resourceVersion: "7", allowWatchBookmarks: false).query == "?watch=true&resourceVersion=7")
    }
}
