import Foundation
import KubeAPI
@testable import KubeClient
import Testing

@Suite struct KubeconfigTests {
    static let b64CA = Data("CA-PEM".utf8).base64EncodedString()
    static let b64Cert = Data("CERT-PEM".utf8).base64EncodedString()
    static let b64Key = Data("KEY-PEM".utf8).base64EncodedString()

    /// As `kubectl config view --raw` writes it.
    static let kubectlStyle = """
    apiVersion: v1
    clusters:
    - cluster:
        certificate-authority-data: \(b64CA)
        server: https://127.0.0.1:6443
      name: swiftlet
    - cluster:
        insecure-skip-tls-verify: true
        server: "https://[::1]:8443/base/"
      name: other
    contexts:
    - context:
        cluster: swiftlet
        user: admin
      name: admin@swiftlet
    - context:
        cluster: other
        namespace: kube-system
        user: robot # a token user
      name: robot@other
    current-context: admin@swiftlet
    kind: Config
    preferences: {}
    users:
    - name: admin
      user:
        client-certificate-data: \(b64Cert)
        client-key-data: \(b64Key)
    - name: robot
      user:
        token: 'abc.def'
    """

    @Test func embeddedDataAndCurrentContext() throws {
        let kc = try KubeconfigFile(parsing: Self.kubectlStyle)
        #expect(kc.currentContext == "admin@swiftlet")
        let c = try kc.clientConfig()
        #expect(c.server == ServerURL(scheme: "https", host: "127.0.0.1", port: 6443))
        #expect(c.certificateAuthorityPEM == Array("CA-PEM".utf8))
        #expect(c.credentials == .clientCertificate(certificatePEM: Array("CERT-PEM".utf8), keyPEM: Array("KEY-PEM".utf8)))
        #expect(!c.insecureSkipTLSVerify)
        #expect(kc.namespace() == "default")
    }

    @Test func tokenContextWithIPv6AndInsecure() throws {
        let kc = try KubeconfigFile(parsing: Self.kubectlStyle)
        let c = try kc.clientConfig(context: "robot@other")
        #expect(c.server.host == "::1")
        #expect(c.server.port == 8443)
        #expect(c.server.basePath == "/base")
        #expect(c.server.hostHeader == "[::1]:8443")
        #expect(c.credentials == .bearerToken("abc.def"))
        #expect(c.insecureSkipTLSVerify)
        #expect(kc.namespace(context: "robot@other") == "kube-system")
    }

    @Test func filePathsRelativeToTheKubeconfig() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path + "/pki", withIntermediateDirectories: true)
        try dir.write("pki/ca.crt", "FILE-CA")
        try dir.write("pki/admin.crt", "FILE-CERT")
        try dir.write("admin.key", "FILE-KEY")
        try dir.write("token", "tok-from-file\n")
        try dir.write("config", """
        # indented sequences, as some tools write them
        apiVersion: v1
        kind: Config
        clusters:
          - name: c
            cluster:
              server: https://api.example:6443
              certificate-authority: pki/ca.crt
        users:
          - name: u
            user:
              client-certificate: pki/admin.crt
              client-key: \(dir.path)/admin.key
          - name: t
            user:
              tokenFile: token
        contexts:
          - name: ctx
            context: {"cluster": "c", "user": "u"}
          - name: tok
            context:
              cluster: c
              user: t
        current-context: "ctx"
        """)
        let c = try KubeClientConfig(kubeconfigPath: dir.path + "/config")
        #expect(c.server.host == "api.example")
        #expect(c.certificateAuthorityPEM == Array("FILE-CA".utf8))
        #expect(c.credentials == .clientCertificate(certificatePEM: Array("FILE-CERT".utf8), keyPEM: Array("FILE-KEY".utf8)))
        let t = try KubeClientConfig(kubeconfigPath: dir.path + "/config", context: "tok")
        #expect(t.credentials == .bearerTokenFile(dir.path + "/token"))
    }

    @Test func jsonKubeconfig() throws {
        let json = #"{"apiVersion":"v1","kind":"Config","clusters":[{"name":"c","cluster":{"server":"http://127.0.0.1:8080"}}],"#
            + #""users":[{"name":"u","user":{}}],"contexts":[{"name":"x","context":{"cluster":"c","user":"u"}}],"current-context":"x"}"#
        let c = try KubeconfigFile(parsing: json).clientConfig()
        #expect(c.server.scheme == "http")
        #expect(c.server.port == 8080)
        #expect(c.credentials == .none)
    }

    @Test func brokenReferencesAreNamed() throws {
        let kc = try KubeconfigFile(parsing: Self.kubectlStyle)
        #expect(throws: KubeClientError.self) { try kc.clientConfig(context: "missing") }
        let noUser = Self.kubectlStyle.replacingOccurrences(of: "user: admin", with: "user: ghost")
        do {
            _ = try KubeconfigFile(parsing: noUser).clientConfig()
            Issue.record("a missing user was accepted")
        } catch {
            #expect("\(error)".contains("ghost"))
        }
        let badB64 = Self.kubectlStyle.replacingOccurrences(of: Self.b64CA, with: "!!!")
        #expect(throws: KubeClientError.self) { try KubeconfigFile(parsing: badB64) }
        let missingFile = """
        clusters:
        - name: c
          cluster: {"server": "https://h:1", "certificate-authority": "/nonexistent/ca.crt"}
        contexts:
        - name: x
          context: {"cluster": "c"}
        current-context: x
        """
        #expect(throws: KubeClientError.self) { try KubeconfigFile(parsing: missingFile).clientConfig() }
    }

    @Test func explicitValues() throws {
        let c = try KubeClientConfig(server: "https://10.0.0.1", certificateAuthorityPEM: "CA", token: "t")
        #expect(c.server.port == 443)
        #expect(c.credentials == .bearerToken("t"))
        #expect(throws: KubeClientError.self) {
            try KubeClientConfig(server: "https://h", clientCertificatePEM: "C", clientKeyPEM: nil)
        }
        #expect(throws: KubeClientError.self) { try KubeClientConfig(server: "ftp://h") }
        #expect(throws: KubeClientError.self) { try KubeClientConfig(server: "https://h:99999") }
    }
}

@Suite struct YAMLSubsetTests {
    @Test func scalarsAndNesting() throws {
        let v = try YAMLSubset.parse("""
        a: plain text with: colon
        b: "quoted \\"x\\" # not a comment"
        c: 'it''s'
        d: 42
        e: true
        f: ~
        g:
          - 1
          - - nested
          - k: v
            k2: v2
        h: |
          line1
            line2
        i: []
        url: https://h:1/p # comment
        """)
        #expect(v["a"] == .string("plain text with: colon"))
        #expect(v["b"] == .string("quoted \"x\" # not a comment"))
        #expect(v["c"] == .string("it's"))
        #expect(v["d"] == .integer(42))
        #expect(v["e"] == .bool(true))
        #expect(v["f"] == .null)
        #expect(v["g"] == .array([.integer(1), .array([.string("nested")]), .object(["k": .string("v"), "k2": .string("v2")])]))
        #expect(v["h"] == .string("line1\n  line2\n"))
        #expect(v["i"] == .array([]))
        #expect(v["url"] == .string("https://h:1/p"))
    }

    @Test func flowCollectionsWithPlainScalars() throws {
        let v = try YAMLSubset.parse("""
        a: {cluster: live, user: "robot", n: 3, url: https://h:1/x, empty: {}, list: [x, 'y z', [1]]}
        b: [ ]
        - c
        """.replacingOccurrences(of: "\n- c", with: ""))
        #expect(v["a"] == .object(["cluster": .string("live"), "user": .string("robot"), "n": .integer(3),
                                   "url": .string("https://h:1/x"), "empty": .object([:]),
                                   "list": .array([.string("x"), .string("y z"), .array([.integer(1)])])]))
        #expect(v["b"] == .array([]))
        #expect(throws: (any Error).self) { try YAMLSubset.parse("a: {x: 1") }
        #expect(throws: (any Error).self) { try YAMLSubset.parse("a: [1 2] x") }
    }

    @Test func badIndentationIsAnError() {
        #expect(throws: (any Error).self) { try YAMLSubset.parse("a:\n  b: 1\n   c: 2\n") }
    }
}
