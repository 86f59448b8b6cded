import Foundation

/// A throw-away CA with a server certificate for 127.0.0.1 and a client certificate (ECDSA P-256,
/// as the server's PKI makes), made with the openssl CLI in a temp dir that is removed at once.
struct TestPKI {
    var caPEM: String
    var serverCertPEM: String
    var serverKeyPEM: String
    var clientCertPEM: String
    var clientKeyPEM: String
    /// Signed by a different CA: the server must refuse it.
    var strangerCertPEM: String
    var strangerKeyPEM: String

    static let shared: TestPKI = {
        do {
            return try make()
        } catch {
            fatalError("making the test PKI: \(error)")
        }
    }()

    static func make() throws -> TestPKI {
        let dir = try TempDir()
        defer { dir.remove() }
        let d = dir.path
        let openssl = "/usr/bin/openssl"
        func key(_ name: String) throws {
            try run(openssl, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "\(d)/\(name).key"], in: d)
        }
        func ca(_ name: String) throws {
            try key(name)
            try run(openssl, ["req", "-x509", "-new", "-key", "\(d)/\(name).key", "-subj", "/CN=\(name)", "-days", "2",
                              "-out", "\(d)/\(name).crt"], in: d)
        }
        func leaf(_ name: String, subject: String, ext: String, ca: String) throws {
            try key(name)
            try run(openssl, ["req", "-new", "-key", "\(d)/\(name).key", "-subj", subject, "-out", "\(d)/\(name).csr"], in: d)
            try dir.write("\(name).ext", ext)
            try run(openssl, ["x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/\(ca).crt", "-CAkey", "\(d)/\(ca).key",
                              "-CAcreateserial", "-days", "2", "-extfile", "\(d)/\(name).ext", "-out", "\(d)/\(name).crt"], in: d)
        }
        try ca("test-ca")
        try ca("other-ca")
        try leaf("server", subject: "/CN=kube-apiserver",
                 ext: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n", ca: "test-ca")
        try leaf("client", subject: "/O=system:masters/CN=admin", ext: "extendedKeyUsage=clientAuth\n", ca: "test-ca")
        try leaf("stranger", subject: "/CN=stranger", ext: "extendedKeyUsage=clientAuth\n", ca: "other-ca")
        return TestPKI(caPEM: try dir.read("test-ca.crt"), serverCertPEM: try dir.read("server.crt"),
                       serverKeyPEM: try dir.read("server.key"), clientCertPEM: try dir.read("client.crt"),
                       clientKeyPEM: try dir.read("client.key"), strangerCertPEM: try dir.read("stranger.crt"),
                       strangerKeyPEM: try dir.read("stranger.key"))
    }
}
