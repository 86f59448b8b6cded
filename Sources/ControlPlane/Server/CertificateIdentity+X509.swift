import NIOSSL
import X509

extension CertificateIdentity {
    /// Reads CN and O from a client certificate the TLS layer already verified against the cluster CA.
    init?(verified certificate: NIOSSLCertificate) {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        var commonName = ""
        var organizations: [String] = []
        for rdn in parsed.subject {
            for attribute in rdn {
                if attribute.type == .RDNAttributeType.commonName, let value = String(attribute.value) {
                    commonName = value
                } else if attribute.type == .RDNAttributeType.organizationName, let value = String(attribute.value) {
                    organizations.append(value)
                }
            }
        }
        var allowsClientAuth = true
        if let usage = try? parsed.extensions.extendedKeyUsage {
            allowsClientAuth = usage.contains(.clientAuth) || usage.contains(.any)
        }
        self.init(commonName: commonName, organizations: organizations, allowsClientAuth: allowsClientAuth)
    }
}
