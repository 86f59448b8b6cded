import KubeAPI
import Store

/// What a fresh cluster has (kube's bootstrap controllers): the four system namespaces with their
/// `default` ServiceAccounts, and the `kubernetes` Service in `default` holding the first address of
/// the service range. Resumes cleanup of namespaces that were terminating when the server stopped.
struct Bootstrap {
    let server: KubeAPIServer

    static let systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    func run() async throws {
        let registry = server.registry
        guard let ns = ResourceStrategy.lookup(group: "", version: "v1", resource: "namespaces"),
              let services = ResourceStrategy.lookup(group: "", version: "v1", resource: "services") else { return }
        for name in Bootstrap.systemNamespaces {
            do {
                _ = try await registry.create(ns, namespace: "", body: .object(["metadata": .object(["name": .string(name)])]),
                                              dryRun: false)
            } catch let s as Status where s.code == 409 {}
            await server.ensureDefaultServiceAccount(namespace: name)
        }
        let cidr = IPv4CIDR(server.config.serviceCIDR) ?? IPv4CIDR("10.96.0.0/12")!
        let kubernetes = JSONValue.object([
            "metadata": .object(["name": .string("kubernetes"),
                                 "labels": .object(["component": .string("apiserver"), "provider": .string("kubernetes")])]),
            "spec": .object([
                "type": .string("ClusterIP"),
                "clusterIP": .string(cidr.firstAddress),
                "ports": .array([.object(["name": .string("https"), "port": .integer(443), "protocol": .string("TCP"),
                                          "targetPort": .integer(Int64(server.config.securePort))])]),
            ]),
        ])
        do {
            _ = try await registry.create(services, namespace: "default", body: kubernetes, dryRun: false)
        } catch let s as Status where s.code == 409 {}
        if let address = server.config.advertiseAddress,
           let endpoints = ResourceStrategy.lookup(group: "", version: "v1", resource: "endpoints") {
            let body = JSONValue.object([
                "metadata": .object(["name": .string("kubernetes")]),
                "subsets": .array([.object([
                    "addresses": .array([.object(["ip": .string(address)])]),
                    "ports": .array([.object(["name": .string("https"), "port": .integer(Int64(server.config.securePort)),
                                              "protocol": .string("TCP")])]),
                ])]),
            ])
            _ = try await registry.update(endpoints, namespace: "default", name: "kubernetes", scope: .main,
                                          createIfMissing: body) { _ in body }
        }
        // Namespaces left terminating by a previous run.
        let list = try await registry.list(ns, namespace: "", options: ListOptions())
        for item in list["items"]?.arrayValue ?? [] where item.meta("deletionTimestamp") != nil {
            if let name = item.metaString("name") { server.spawn { [server] in await server.finalizeNamespace(name) } }
        }
    }
}
