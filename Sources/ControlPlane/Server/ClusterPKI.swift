import Crypto
import FoundationEssentials
import Glibc
import SwiftASN1
import X509

/// The cluster's certificates in `DATA-DIR/pki`, made at first start and reused after: the cluster
/// CA, the API server's serving certificate and the admin's client certificate (ECDSA P-256; Go's
/// TLS, hence kubectl, accepts it). Keys are PEM (PKCS#8) files readable by root only.
public struct ClusterPKI: Sendable {
    public struct Pair: Sendable {
        public var certificatePEM: String
        public var keyPEM: String
    }

    public var ca: Pair
    public var serving: Pair
    public var admin: Pair

    public static let adminCommonName = "kubernetes-admin"
    public static let adminOrganization = "system:masters"

    /// The DNS names and addresses the serving certificate must cover.
    public struct ServingNames: Hashable, Sendable {
        public var dnsNames: [String]
        public var addresses: [IPAddress]
    }

    public static func servingNames(bindAddress: String, hostName: String, firstServiceIP: IPAddress) -> ServingNames {
        var dns = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                   "kubernetes.default.svc.cluster.local"]
        if !hostName.isEmpty && !dns.contains(hostName) { dns.append(hostName) }
        var addresses: [IPAddress] = []
        for text in ["127.0.0.1", "::1", bindAddress] {
            if let ip = IPAddress(text), !ip.bytes.allSatisfy({ $0 == 0 }), !addresses.contains(ip) { addresses.append(ip) }
        }
        if !addresses.contains(firstServiceIP) { addresses.append(firstServiceIP) }
        return ServingNames(dnsNames: dns, addresses: addresses)
    }

    /// Loads the PKI from `directory`, making whatever is missing; a serving certificate that no
    /// longer covers `names` or expires within 30 days is made again (signed by the same CA).
    public static func loadOrCreate(directory: String, names: ServingNames, now: Date = Date()) throws(PKIError) -> ClusterPKI {
        try PKIFiles.makeDirectory(directory)
        let ca = try loadOrCreatePair(directory: directory, name: "ca") { () throws(PKIError) in try makeCA(now: now) }
        let (caKey, caCert) = try signer(ca, file: directory + "/ca.key")
        var serving = try loadOrCreatePair(directory: directory, name: "apiserver") { () throws(PKIError) in
            try makeLeaf(ca: caCert, caKey: caKey, subject: ("kube-apiserver", []), usage: .serverAuth, names: names, now: now)
        }
        if !(try servingCertificate(serving.certificatePEM, covers: names, validAt: now + 30 * 86400)) {
            serving = try makeLeaf(ca: caCert, caKey: caKey, subject: ("kube-apiserver", []), usage: .serverAuth, names: names, now: now)
            try PKIFiles.write(pair: serving, directory: directory, name: "apiserver")
        }
        let admin = try loadOrCreatePair(directory: directory, name: "admin") { () throws(PKIError) in
            try makeLeaf(ca: caCert, caKey: caKey, subject: (adminCommonName, [adminOrganization]), usage: .clientAuth,
                         names: nil, now: now)
        }
        return ClusterPKI(ca: ca, serving: serving, admin: admin)
    }

    /// Issues a client certificate signed by this CA (tests and `swiftlet` tooling make users with it).
    public func issueClientCertificate(commonName: String, organizations: [String], now: Date = Date()) throws(PKIError) -> Pair {
        let (caKey, caCert) = try Self.signer(ca, file: "ca")
        return try Self.makeLeaf(ca: caCert, caKey: caKey, subject: (commonName, organizations), usage: .clientAuth,
                                 names: nil, now: now)
    }

    /// The CA's key and certificate, parsed to sign with; `file` names the CA in the error.
    private static func signer(_ ca: Pair, file: String) throws(PKIError) -> (Certificate.PrivateKey, Certificate) {
        do {
            return (Certificate.PrivateKey(try P256.Signing.PrivateKey(pemRepresentation: ca.keyPEM)),
                    try Certificate(pemEncoded: ca.certificatePEM))
        } catch {
            throw .unreadable(file: file, "\(error)")
        }
    }

    private static func loadOrCreatePair(directory: String, name: String, make: () throws(PKIError) -> Pair) throws(PKIError) -> Pair {
        let certPath = "\(directory)/\(name).crt", keyPath = "\(directory)/\(name).key"
        if PKIFiles.exists(certPath) && PKIFiles.exists(keyPath) {
            return Pair(certificatePEM: try PKIFiles.read(certPath), keyPEM: try PKIFiles.read(keyPath))
        }
        let pair = try make()
        try PKIFiles.write(pair: pair, directory: directory, name: name)
        return pair
    }

    private static func servingCertificate(_ pem: String, covers names: ServingNames, validAt date: Date) throws(PKIError) -> Bool {
        do {
            let cert = try Certificate(pemEncoded: pem)
            guard cert.notValidAfter > date, let san = try cert.extensions.subjectAlternativeNames else { return false }
            let present = Set(san.map { "\($0)" })
            let wanted = try subjectAlternativeNames(names).map { "\($0)" }
            return wanted.allSatisfy(present.contains)
        } catch {
            throw .unreadable(file: "apiserver.crt", "\(error)")
        }
    }

    private static func subjectAlternativeNames(_ names: ServingNames) throws -> SubjectAlternativeNames {
        SubjectAlternativeNames(names.dnsNames.map { GeneralName.dnsName($0) }
            + names.addresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: ArraySlice($0.bytes))) })
    }

    private static func distinguishedName(_ commonName: String, _ organizations: [String]) throws -> DistinguishedName {
        var rdns = organizations.map { RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: $0)) }
        rdns.append(RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: commonName)))
        return DistinguishedName(rdns)
    }

    private static func makeCA(now: Date) throws(PKIError) -> Pair {
        do {
            let key = P256.Signing.PrivateKey()
            let name = try distinguishedName("swiftlet-ca", [])
            let publicKey = Certificate.PublicKey(key.publicKey)
            let cert = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
                notValidBefore: now - 300, notValidAfter: now + 10 * 365 * 86400,
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true, keyCertSign: true))
                    SubjectKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: publicKey.subjectPublicKeyInfoBytes)))
                },
                issuerPrivateKey: Certificate.PrivateKey(key))
            return Pair(certificatePEM: try cert.serializeAsPEM().pemString, keyPEM: key.pemRepresentation)
        } catch {
            throw .generation(what: "cluster CA", "\(error)")
        }
    }

    private static func makeLeaf(ca: Certificate, caKey: Certificate.PrivateKey, subject: (String, [String]),
                                 usage: ExtendedKeyUsage.Usage, names: ServingNames?, now: Date) throws(PKIError) -> Pair {
        do {
            let key = P256.Signing.PrivateKey()
            let caSKI = try ca.extensions.subjectKeyIdentifier?.keyIdentifier
            let cert = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: now - 300, notValidAfter: now + 365 * 86400,
                issuer: ca.subject, subject: try distinguishedName(subject.0, subject.1),
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([usage])
                    if let caSKI { AuthorityKeyIdentifier(keyIdentifier: caSKI) }
                    if let names { try subjectAlternativeNames(names) }
                },
                issuerPrivateKey: caKey)
            return Pair(certificatePEM: try cert.serializeAsPEM().pemString, keyPEM: key.pemRepresentation)
        } catch {
            throw .generation(what: "certificate for \(subject.0)", "\(error)")
        }
    }
}

extension Certificate.PublicKey {
    /// The subjectPublicKey bits, what RFC 5280's method (1) hashes for a key identifier.
    var subjectPublicKeyInfoBytes: [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(self)
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }; hashing the
        // whole SPKI is what many CAs do and is as unique; the identifier only has to be stable.
        return serializer.serializedBytes
    }
}

public enum PKIError: Error, Hashable, CustomStringConvertible {
    case directory(String, errno: Int32)
    case write(file: String, errno: Int32)
    case unreadable(file: String, String)
    case generation(what: String, String)

    public var description: String {
        switch self {
        case .directory(let path, let e): "create PKI directory \(path): \(String(cString: strerror(e)))"
        case .write(let file, let e): "write \(file): \(String(cString: strerror(e)))"
        case .unreadable(let file, let why): "read \(file): \(why)"
        case .generation(let what, let why): "make \(what): \(why)"
        }
    }
}

/// Small file helpers for secrets: atomic writes with mode 0600 from the start.
enum PKIFiles {
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func makeDirectory(_ path: String) throws(PKIError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw .directory(current, errno: errno) }
        }
    }

    static func read(_ path: String) throws(PKIError) -> String {
        guard let file = fopen(path, "r") else { throw .unreadable(file: path, String(cString: strerror(errno))) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func write(pair: ClusterPKI.Pair, directory: String, name: String) throws(PKIError) {
        try write(path: "\(directory)/\(name).key", contents: pair.keyPEM, mode: 0o600)
        try write(path: "\(directory)/\(name).crt", contents: pair.certificatePEM, mode: 0o644)
    }

    static func write(path: String, contents: String, mode: mode_t) throws(PKIError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .write(file: temporary, errno: errno) }
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                throw .write(file: temporary, errno: e)
            }
            written += n
        }
        fchmod(fd, mode)
        fsync(fd)
        close(fd)
        guard rename(temporary, path) == 0 else { throw .write(file: path, errno: errno) }
    }
}
