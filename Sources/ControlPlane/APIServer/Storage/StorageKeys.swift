import KubeAPI

/// Where objects live in the store, as Kubernetes lays out etcd: `/registry/<resource>/<namespace>/<name>`
/// for namespaced resources and `/registry/<resource>/<name>` for cluster-scoped ones, keeping kube's
/// historical names (`services/specs`, `minions`) so `etcdctl get --prefix /registry/` reads the same.
public enum StorageKeys {
    public static let root = "/registry/"

    public static func resourcePrefix(_ resource: String) -> String {
        switch resource {
        case "services": return root + "services/specs/"
        case "nodes": return root + "minions/"
        case "endpoints": return root + "services/endpoints/"
        default: return root + resource + "/"
        }
    }

    /// The prefix of one namespace's objects (or of all of them when `namespace` is empty).
    public static func collectionPrefix(_ resource: String, namespace: String) -> String {
        namespace.isEmpty ? resourcePrefix(resource) : resourcePrefix(resource) + namespace + "/"
    }

    public static func objectKey(_ resource: String, namespace: String, name: String) -> String {
        namespace.isEmpty ? resourcePrefix(resource) + name : resourcePrefix(resource) + namespace + "/" + name
    }

    /// Allocated Service ClusterIPs and NodePorts: one key each, created in the same transaction as the
    /// Service that holds it, so two Services can never commit the same address.
    public static func clusterIPKey(_ ip: String) -> String { root + "swiftlet/serviceips/" + ip }
    public static func nodePortKey(_ port: Int, proto: String) -> String {
        root + "swiftlet/servicenodeports/" + proto.lowercased() + "/" + String(port)
    }
}
