@testable import APIServer
import Testing

@Suite struct RequestInfoTests {
    func parse(_ method: String, _ path: String, watch: String? = nil) -> RequestInfo {
        RequestInfo.parse(method: method, path: path, watchParam: watch)
    }

    @Test func namespacedObject() {
        let i = parse("GET", "/api/v1/namespaces/ns1/pods/p1")
        #expect(i.isResourceRequest && i.verb == "get" && i.namespace == "ns1" && i.resource == "pods" && i.name == "p1")
        #expect(i.apiGroup == "" && i.apiVersion == "v1" && i.subresource == "")
    }

    @Test func verbsFromMethodNameAndWatch() {
        #expect(parse("GET", "/api/v1/namespaces/ns1/pods").verb == "list")
        #expect(parse("GET", "/api/v1/namespaces/ns1/pods", watch: "true").verb == "watch")
        #expect(parse("GET", "/api/v1/namespaces/ns1/pods", watch: "1").verb == "watch")
        #expect(parse("GET", "/api/v1/namespaces/ns1/pods", watch: "false").verb == "list")
        #expect(parse("POST", "/api/v1/namespaces/ns1/pods").verb == "create")
        #expect(parse("PUT", "/api/v1/namespaces/ns1/pods/a").verb == "update")
        #expect(parse("PATCH", "/api/v1/namespaces/ns1/pods/a").verb == "patch")
        #expect(parse("DELETE", "/api/v1/namespaces/ns1/pods/a").verb == "delete")
        #expect(parse("DELETE", "/api/v1/namespaces/ns1/pods").verb == "deletecollection")
    }

    @Test func legacyWatchPrefix() {
        let i = parse("GET", "/api/v1/watch/namespaces/ns1/pods/p1")
        #expect(i.verb == "watch" && i.name == "p1" && i.namespace == "ns1")
        #expect(parse("GET", "/apis/apps/v1/watch/deployments").verb == "watch")
    }

    @Test func groupsClusterScopeAndSubresources() {
        let d = parse("PUT", "/apis/apps/v1/namespaces/x/deployments/web/scale")
        #expect(d.apiGroup == "apps" && d.resource == "deployments" && d.name == "web" && d.subresource == "scale")
        let n = parse("GET", "/api/v1/nodes/n1")
        #expect(n.namespace == "" && n.resource == "nodes" && n.name == "n1")
        let all = parse("GET", "/api/v1/pods")
        #expect(all.verb == "list" && all.namespace == "" && all.resource == "pods")
    }

    @Test func namespaceItself() {
        let n = parse("GET", "/api/v1/namespaces/kube-system")
        #expect(n.resource == "namespaces" && n.name == "kube-system")
        let f = parse("PUT", "/api/v1/namespaces/x/finalize")
        #expect(f.resource == "namespaces" && f.name == "x" && f.subresource == "finalize")
        let s = parse("GET", "/api/v1/namespaces/x/status")
        #expect(s.resource == "namespaces" && s.subresource == "status")
        #expect(parse("GET", "/api/v1/namespaces").verb == "list")
    }

    @Test func nonResource() {
        #expect(!parse("GET", "/version").isResourceRequest)
        #expect(!parse("GET", "/apis").isResourceRequest)
        #expect(!parse("GET", "/apis/apps").isResourceRequest)
        #expect(!parse("GET", "/api").isResourceRequest)
        #expect(!parse("GET", "/api/v1").isResourceRequest)
        #expect(!parse("GET", "/apis/apps/v1").isResourceRequest)
    }
}
