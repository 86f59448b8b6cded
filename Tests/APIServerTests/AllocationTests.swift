@testable import APIServer
import KubeAPI
import Testing

@Suite struct IPv4CIDRTests {
    @Test func parsesAndContains() throws {
        let c = try #require(IPv4CIDR("10.96.0.0/12"))
        #expect(c.size == 1 << 20)
        #expect(c.firstAddress == "10.96.0.1")
        #expect(c.contains(IPv4CIDR.parseAddress("10.111.255.254")!))
        #expect(!c.contains(IPv4CIDR.parseAddress("10.112.0.1")!))
        #expect(IPv4CIDR("10.96.0.0") == nil && IPv4CIDR("10.96.0.0/33") == nil && IPv4CIDR.parseAddress("1.2.3.256") == nil)
        #expect(IPv4CIDR.parseAddress("01.2.3.4") == nil)
        #expect(IPv4CIDR("10.96.3.7/24")?.description == "10.96.3.0/24")
    }
}

@Suite struct ServiceAllocationTests {
    func svc(_ name: String, type: String = "ClusterIP", clusterIP: String? = nil, nodePort: Int? = nil) -> String {
        let ip = clusterIP.map { #","clusterIP":"\#($0)""# } ?? ""
        let np = nodePort.map { #","nodePort":\#($0)"# } ?? ""
        return #"{"metadata":{"name":"\#(name)"},"spec":{"type":"\#(type)"\#(ip),"ports":[{"port":80\#(np)}]}}"#
    }

    @Test func clusterIPsAreUniqueAndReleasedOnDelete() async throws {
        let env = try await APITestEnv.make(config: APIServerConfig(serviceCIDR: "10.0.0.0/29"))
        defer { env.server.stop() }
        // /29: 8 addresses; network, .1 (kubernetes) and broadcast are never handed out: 5 left.
        var ips = Set<String>()
        for i in 0..<5 {
            let s = try await env.create("/api/v1/namespaces/default/services", svc("s\(i)"))
            let ip = try #require(s["spec"]?["clusterIP"]?.stringValue)
            #expect(s["spec"]?["clusterIPs"] == .array([.string(ip)]))
            ips.insert(ip)
        }
        #expect(ips.count == 5 && !ips.contains("10.0.0.1") && !ips.contains("10.0.0.0") && !ips.contains("10.0.0.7"))
        let (full, _) = try await env.json("POST", "/api/v1/namespaces/default/services", body: svc("s5"))
        #expect(full == 500)
        _ = try await env.json("DELETE", "/api/v1/namespaces/default/services/s0")
        let again = try await env.create("/api/v1/namespaces/default/services", svc("s6"))
        #expect(again["spec"]?["clusterIP"] != nil)
    }

    @Test func requestedIPHonouredOr422() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let s = try await env.create("/api/v1/namespaces/default/services", svc("a", clusterIP: "10.96.0.50"))
        #expect(s["spec"]?["clusterIP"] == .string("10.96.0.50"))
        let (taken, t) = try await env.json("POST", "/api/v1/namespaces/default/services", body: svc("b", clusterIP: "10.96.0.50"))
        #expect(taken == 422)
        #expect(t["message"]?.stringValue?.contains("provided IP is already allocated") == true)
        let (outside, o) = try await env.json("POST", "/api/v1/namespaces/default/services", body: svc("c", clusterIP: "192.168.0.1"))
        #expect(outside == 422 && o["message"]?.stringValue?.contains("not in the valid range") == true)
        // clusterIP is immutable.
        let (uc, _) = try await env.json("PATCH", "/api/v1/namespaces/default/services/a", body: #"{"spec":{"clusterIP":"10.96.0.51"}}"#,
                                         contentType: "application/merge-patch+json")
        #expect(uc == 422)
    }

    @Test func nodePorts() async throws {
        let env = try await APITestEnv.make(config: APIServerConfig(nodePortRange: 30000...30002))
        defer { env.server.stop() }
        let a = try await env.create("/api/v1/namespaces/default/services", svc("a", type: "NodePort"))
        let np = try #require(a["spec"]?["ports"]?.arrayValue?.first?["nodePort"]?.integerValue)
        #expect((30000...30002).contains(Int(np)))
        let (dup, d) = try await env.json("POST", "/api/v1/namespaces/default/services", body: svc("b", type: "NodePort", nodePort: Int(np)))
        #expect(dup == 422 && d["message"]?.stringValue?.contains("provided port is already allocated") == true)
        let (out, _) = try await env.json("POST", "/api/v1/namespaces/default/services", body: svc("c", type: "NodePort", nodePort: 80))
        #expect(out == 422)
        // Updating keeps the port; switching to ClusterIP releases it.
        let (pc, p) = try await env.json("PATCH", "/api/v1/namespaces/default/services/a", body: #"{"metadata":{"labels":{"x":"y"}}}"#,
                                         contentType: "application/merge-patch+json")
        #expect(pc == 200 && p["spec"]?["ports"]?.arrayValue?.first?["nodePort"]?.integerValue == np)
        let (tc, _) = try await env.json("PATCH", "/api/v1/namespaces/default/services/a", body: #"{"spec":{"type":"ClusterIP"}}"#,
                                         contentType: "application/merge-patch+json")
        #expect(tc == 200)
        let b = try await env.create("/api/v1/namespaces/default/services", svc("b", type: "NodePort", nodePort: Int(np)))
        #expect(b["spec"]?["ports"]?.arrayValue?.first?["nodePort"]?.integerValue == np)
    }
}
