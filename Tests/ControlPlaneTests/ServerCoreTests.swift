import APIServer
@testable import ControlPlane
import Foundation
import KubeAPI
import NIOCore
import NIOHTTP1
import Testing
import X509

@Suite("Server pure parts")
struct ServerCoreTests {
    @Test("RequestInfo reads paths as Kubernetes' RequestInfoFactory does", arguments: [
        ("GET", "/api/v1/namespaces/default/pods", "", "list", "", "default", "pods", "", ""),
        ("GET", "/api/v1/namespaces/default/pods", "watch=true", "watch", "", "default", "pods", "", ""),
        ("GET", "/api/v1/watch/namespaces/default/pods/p1", "", "watch", "", "default", "pods", "p1", ""),
        ("GET", "/api/v1/namespaces/default/pods/p1/log", "", "get", "", "default", "pods", "p1", "log"),
        ("GET", "/api/v1/namespaces/kube-system", "", "get", "", "kube-system", "namespaces", "kube-system", ""),
        ("PUT", "/api/v1/namespaces/x/finalize", "", "update", "", "x", "namespaces", "x", "finalize"),
        ("POST", "/apis/apps/v1/namespaces/ns/deployments", "", "create", "apps", "ns", "deployments", "", ""),
        ("PATCH", "/apis/apps/v1/namespaces/ns/deployments/d/scale", "", "patch", "apps", "ns", "deployments", "d", "scale"),
        ("DELETE", "/api/v1/namespaces/ns/configmaps", "", "deletecollection", "", "ns", "configmaps", "", ""),
        ("DELETE", "/api/v1/nodes/n1", "", "delete", "", "", "nodes", "n1", ""),
        ("GET", "/api/v1/nodes", "fieldSelector=metadata.name%3Dn1", "list", "", "", "nodes", "n1", ""),
    ])
    func requestInfo(_ c: (String, String, String, String, String, String, String, String, String)) {
        let (_, query) = RequestAssembler.splitURI("/x?" + c.2)
        let info = RequestInfo.parse(method: c.0, path: c.1, query: query)
        #expect(info.isResourceRequest)
        #expect(info.verb == c.3)
        #expect(info.apiGroup == c.4)
        #expect(info.namespace == c.5)
        #expect(info.resource == c.6)
        #expect(info.name == c.7)
        #expect(info.subresource == c.8)
    }

    @Test("Discovery and other non-resource paths", arguments: ["/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/healthz", "/openapi/v3"])
    func nonResource(_ path: String) {
        let info = RequestInfo.parse(method: "GET", path: path, query: [])
        #expect(!info.isResourceRequest)
        #expect(info.verb == "get")
    }

    @Test("Forbidden messages match kube-apiserver's")
    func forbiddenMessages() {
        let alice = UserInfo(name: "alice", groups: ["dev", "system:authenticated"])
        let cases: [(String, String, String)] = [
            ("GET", "/api/v1/namespaces/default/pods", #"pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default""#),
            ("GET", "/api/v1/namespaces/default/pods/p/log", #"pods "p" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "default""#),
            ("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", #"clusterroles.rbac.authorization.k8s.io is forbidden: User "alice" cannot create resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope"#),
            ("DELETE", "/metrics", #"forbidden: User "alice" cannot delete path "/metrics""#),
        ]
        for (method, path, message) in cases {
            let decision = Authorizer.decide(user: alice, request: RequestInfo.parse(method: method, path: path, query: []))
            guard case .deny(let status) = decision else { Issue.record("\(path) allowed"); continue }
            #expect(status.message == message)
            #expect(status.code == 403)
        }
        #expect(Authorizer.decide(user: alice, request: RequestInfo.parse(method: "GET", path: "/apis/apps/v1", query: [])) == .allow)
        let admin = UserInfo(name: "x", groups: ["system:masters"])
        #expect(Authorizer.decide(user: admin, request: RequestInfo.parse(method: "DELETE", path: "/api/v1/nodes/n", query: [])) == .allow)
    }

    @Test("Authentication: certificate, then bearer token, then anonymous; bad credentials fail")
    func authentication() throws {
        let tokens = try StaticTokens(csv: "t1,alice,1,\"a,b\"\nt2,bob,2\n")
        let cert = CertificateIdentity(commonName: "kubernetes-admin", organizations: ["system:masters"])
        #expect(Authenticator.authenticate(certificate: cert, authorization: "Bearer wrong", tokens: tokens)
                == .authenticated(UserInfo(name: "kubernetes-admin", groups: ["system:masters", "system:authenticated"])))
        #expect(Authenticator.authenticate(certificate: nil, authorization: "Bearer t1", tokens: tokens)
                == .authenticated(UserInfo(name: "alice", groups: ["a", "b", "system:authenticated"])))
        #expect(Authenticator.authenticate(certificate: nil, authorization: "bearer t2", tokens: tokens)
                == .authenticated(UserInfo(name: "bob", groups: ["system:authenticated"])))
        #expect(Authenticator.authenticate(certificate: nil, authorization: "Bearer nope", tokens: tokens) == .failed)
        // As kube's bearer authenticator: the header is trimmed first, so "Bearer " is no credential at all,
        // while an empty token between separators is an invalid one.
        #expect(Authenticator.authenticate(certificate: nil, authorization: "Bearer ", tokens: tokens) == .anonymous)
        #expect(Authenticator.authenticate(certificate: nil, authorization: "Bearer  t1", tokens: tokens) == .failed)
        #expect(Authenticator.authenticate(certificate: nil, authorization: "Basic abc", tokens: tokens) == .anonymous)
        #expect(Authenticator.authenticate(certificate: nil, authorization: nil, tokens: tokens) == .anonymous)
        let serverOnly = CertificateIdentity(commonName: "x", organizations: [], allowsClientAuth: false)
        #expect(Authenticator.authenticate(certificate: serverOnly, authorization: nil, tokens: tokens) == .failed)
        #expect(Authenticator.anonymousMayRequest(method: "GET", path: "/readyz/etcd"))
        #expect(Authenticator.anonymousMayRequest(method: "GET", path: "/version"))
        #expect(!Authenticator.anonymousMayRequest(method: "GET", path: "/versionx"))
        #expect(!Authenticator.anonymousMayRequest(method: "GET", path: "/api"))
        #expect(!Authenticator.anonymousMayRequest(method: "PUT", path: "/healthz"))
    }

    @Test("Token file CSV: quotes, blank lines, empty tokens, too few columns")
    func tokenFile() throws {
        let tokens = try StaticTokens(csv: "\n\"tok,en\",u1,1,\"g1,\"\"g2\"\"\"\n,skipped,2\nt3,u3,3\r\n")
        #expect(tokens.lookup("tok,en") == .init(user: "u1", uid: "1", groups: ["g1", "\"g2\""]))
        #expect(tokens.lookup("t3") == .init(user: "u3", uid: "3", groups: []))
        #expect(tokens.entries.count == 2)
        #expect(throws: StaticTokens.ParseError.tooFewColumns(record: 1, found: 2)) { try StaticTokens(csv: "a,b\n") }
        #expect(throws: StaticTokens.ParseError.unterminatedQuote(record: 1)) { try StaticTokens(csv: "\"a,b\n") }
    }

    @Test("Service CIDR: the first address is the kubernetes Service's")
    func cidr() throws {
        #expect(try CIDR("10.96.0.0/12").firstServiceIP.description == "10.96.0.1")
        #expect(try CIDR("10.100.7.9/16").firstServiceIP.description == "10.100.0.1")
        #expect(try CIDR("fd00:10:96::/108").firstServiceIP.description == "fd00:10:96::1")
        #expect(throws: ConfigError.invalidCIDR("10.0.0.0/33")) { try CIDR("10.0.0.0/33") }
        #expect(throws: ConfigError.invalidCIDR("nope")) { try CIDR("nope") }
        #expect(try ServerConfig.parsePortRange("30000-32767") == 30000...32767)
        #expect(throws: ConfigError.invalidPortRange("2-1")) { try ServerConfig.parsePortRange("2-1") }
        var config = ServerConfig(dataDirectory: "/d")
        config.bindAddress = "::"
        config.securePort = 7
        #expect(config.serverURL == "https://[::1]:7")
    }

    @Test("Status bodies are byte-for-byte what kube-apiserver writes")
    func statusBody() {
        let body = StatusBody.render(Status(status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401))
        #expect(String(decoding: body, as: UTF8.self) == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"# + "\n")
        #expect(StatusBody.quoted("a\"<b>\u{1}") == #""a\"\u003cb\u003e\u0001""#)
    }

    @Test("Request assembly: bounded bodies, 100-continue, URI decoding")
    func assembler() {
        var a = RequestAssembler(maxBodyBytes: 10)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/a%2Fb/c?x=1+2&y&z=%3D")
        head.headers.add(name: "Content-Length", value: "8")
        head.headers.add(name: "Expect", value: "100-continue")
        guard case .sendContinue = a.receive(.head(head)) else { Issue.record("no 100-continue"); return }
        _ = a.receive(.body(ByteBuffer(string: "12345678")))
        guard case .request(let r) = a.receive(.end(nil)) else { Issue.record("no request"); return }
        #expect(r.path == "/a/b/c")
        #expect(r.query.map { "\($0.name)=\($0.value)" } == ["x=1 2", "y=", "z=="])
        #expect(r.body.count == 8)
        #expect(r.headers.contains { $0.name == "content-length" })

        var big = HTTPRequestHead(version: .http1_1, method: .PUT, uri: "/")
        big.headers.add(name: "content-length", value: "11")
        guard case .reject(let response) = a.receive(.head(big)) else { Issue.record("no 413"); return }
        #expect(response.status == 413)

        var chunked = RequestAssembler(maxBodyBytes: 10)
        _ = chunked.receive(.head(HTTPRequestHead(version: .http1_1, method: .PUT, uri: "/")))
        _ = chunked.receive(.body(ByteBuffer(string: "123456")))
        guard case .reject = chunked.receive(.body(ByteBuffer(string: "123456"))) else { Issue.record("no 413 while reading"); return }
        guard case .none = chunked.receive(.end(nil)) else { Issue.record("should discard after rejecting"); return }
    }

    @Test("PKI: made once with the right names and modes, reused on restart")
    func pki() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let names = ClusterPKI.servingNames(bindAddress: "192.0.2.7", hostName: "node-a", firstServiceIP: IPAddress("10.96.0.1")!)
        let first = try ClusterPKI.loadOrCreate(directory: dir.path + "/pki", names: names)
        let again = try ClusterPKI.loadOrCreate(directory: dir.path + "/pki", names: names)
        #expect(first.ca.certificatePEM == again.ca.certificatePEM)
        #expect(first.serving.certificatePEM == again.serving.certificatePEM)
        #expect(first.admin.keyPEM == again.admin.keyPEM)
        for key in ["ca.key", "apiserver.key", "admin.key"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: dir.path + "/pki/" + key)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(key)")
        }
        let serving = try Certificate(pemEncoded: first.serving.certificatePEM)
        let sans = try #require(try serving.extensions.subjectAlternativeNames).map { "\($0)" }
        for wanted in ["localhost", "node-a", "kubernetes.default.svc.cluster.local"] {
            #expect(sans.contains { $0.contains(wanted) }, "\(wanted) in \(sans)")
        }
        #expect(names.addresses.map(\.description) == ["127.0.0.1", "::1", "192.0.2.7", "10.96.0.1"])
        let admin = try Certificate(pemEncoded: first.admin.certificatePEM)
        #expect(admin.subject.description == "O=system:masters,CN=kubernetes-admin" || admin.subject.description == "CN=kubernetes-admin,O=system:masters")
        // A different bind address is no longer covered: the serving certificate is made again, same CA.
        let moved = try ClusterPKI.loadOrCreate(directory: dir.path + "/pki", names: ClusterPKI.servingNames(
            bindAddress: "192.0.2.8", hostName: "node-a", firstServiceIP: IPAddress("10.96.0.1")!))
        #expect(moved.serving.certificatePEM != first.serving.certificatePEM)
        #expect(moved.ca.certificatePEM == first.ca.certificatePEM)
        // openssl agrees the chain verifies.
        let ca = try dir.write("ca.pem", first.ca.certificatePEM)
        let leaf = try dir.write("leaf.pem", moved.serving.certificatePEM)
        let verify = try await run("/usr/bin/openssl", ["verify", "-CAfile", ca, "-purpose", "sslserver", leaf])
        #expect(verify.out.hasSuffix(": OK\n"), "\(verify.out)\(verify.err)")
    }
}
