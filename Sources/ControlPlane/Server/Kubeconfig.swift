import FoundationEssentials

/// The admin kubeconfig: one cluster (`swiftlet`), one user (`admin`) with an embedded client
/// certificate, one context selected by default; what `kubectl --kubeconfig` reads.
public enum Kubeconfig {
    public static let clusterName = "swiftlet"
    public static let userName = "admin"
    public static let contextName = "swiftlet"

    public static func render(server: String, caPEM: String, clientCertificatePEM: String, clientKeyPEM: String) -> String {
        func b64(_ pem: String) -> String { Data(pem.utf8).base64EncodedString() }
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - cluster:
            certificate-authority-data: \(b64(caPEM))
            server: \(server)
          name: \(clusterName)
        contexts:
        - context:
            cluster: \(clusterName)
            user: \(userName)
          name: \(contextName)
        current-context: \(contextName)
        preferences: {}
        users:
        - name: \(userName)
          user:
            client-certificate-data: \(b64(clientCertificatePEM))
            client-key-data: \(b64(clientKeyPEM))

        """
    }
}
