import Foundation
import KubeAPI
import KubeClient
import Testing

@Suite struct EventRecorderTests {
    @Test func repeatsBumpOneEventAndExpiredOnesAreRecreated() async throws {
        let pki = TestPKI.shared
        let server = try await TestHTTPSServer { req in
            // The first PATCH finds the event; the second finds it expired.
            if req.method == "PATCH" {
                return req.body.count > 0 && String(decoding: req.body, as: UTF8.self).contains("\"count\":3")
                    ? .json(404, #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"#)
                    : .json(200, #"{"apiVersion":"v1","kind":"Event","metadata":{"name":"x","namespace":"default"},"involvedObject":{},"count":2}"#)
            }
            return .json(201, String(decoding: req.body, as: UTF8.self))
        }
        defer { Task { await server.shutdown() } }
        let client = try KubeAPIClient(config: KubeClientConfig(server: server.url, certificateAuthorityPEM: pki.caPEM,
                                                                clientCertificatePEM: pki.clientCertPEM, clientKeyPEM: pki.clientKeyPEM))
        let recorder = EventRecorder(client: client, component: "default-scheduler")
        var p = Pod(metadata: ObjectMeta(name: "web", namespace: "default"))
        p.metadata.uid = "u-1"
        let first = try await recorder.record(p, type: .warning, reason: "FailedScheduling", message: "0/1 nodes are available")
        #expect(first.count == 1)
        #expect(first.involvedObject.name == "web")
        #expect(first.involvedObject.kind == "Pod")
        #expect(first.source?.component == "default-scheduler")
        #expect(first.metadata.name?.hasPrefix("web.") == true)
        let second = try await recorder.record(p, type: .warning, reason: "FailedScheduling", message: "0/1 nodes are available")
        #expect(second.count == 2)
        _ = try await recorder.record(p, type: .warning, reason: "FailedScheduling", message: "0/1 nodes are available")
        // A different message is a different event.
        _ = try await recorder.record(p, type: .normal, reason: "Scheduled", message: "assigned to n1")

        let r = server.requests
        #expect(r.map(\.method) == ["POST", "PATCH", "PATCH", "POST", "POST"])
        guard r.count == 5 else { return }
        #expect(r[0].path == "/api/v1/namespaces/default/events")
        #expect(r[1].path == "/api/v1/namespaces/default/events/\(first.metadata.name ?? "")")
        #expect(r[1].headers["content-type"] == "application/merge-patch+json")
        let patch = try JSONSerialization.jsonObject(with: Data(r[1].body)) as? [String: Any]
        #expect(patch?["count"] as? Int == 2)
        #expect(patch?["lastTimestamp"] is String)
        let recreated = try JSONSerialization.jsonObject(with: Data(r[3].body)) as? [String: Any]
        #expect(recreated?["reason"] as? String == "FailedScheduling")
        #expect(recreated?["count"] as? Int == 1)
        #expect((recreated?["metadata"] as? [String: Any])?["name"] as? String != first.metadata.name)
    }
}

@Suite struct EventAggregationTests {
    func key(_ reason: String) -> EventAggregation.Key {
        EventAggregation.Key(component: "c", object: ObjectReference(kind: "Pod", namespace: "n", name: "p"),
                             type: "Warning", reason: reason, message: "m")
    }

    @Test func countsRepeatsAndEvictsTheLeastRecentlyUsed() {
        var agg = EventAggregation(capacity: 2)
        let t = Time(seconds: 100)
        #expect(agg.observe(key("a"), now: t, nanos: 0x10) == .create(name: "p.10"))
        #expect(agg.observe(key("a"), now: Time(seconds: 200), nanos: 0x20) == .update(name: "p.10", count: 2, firstTimestamp: t))
        #expect(agg.observe(key("b"), now: t, nanos: 0x30) == .create(name: "p.30"))
        _ = agg.observe(key("a"), now: t, nanos: 0x40)
        // c evicts b (least recently used), not a.
        #expect(agg.observe(key("c"), now: t, nanos: 0x50) == .create(name: "p.50"))
        #expect(agg.observe(key("a"), now: t, nanos: 0x60) == .update(name: "p.10", count: 4, firstTimestamp: t))
        #expect(agg.observe(key("b"), now: t, nanos: 0x70) == .create(name: "p.70"))
    }
}
