import Foundation
import KubeAPI
import KubeClient
import Testing

/// A `swiftlet server` running its scheduler and controllers, plus the test playing kubelet for a few
/// registered nodes; everything is stopped and removed afterwards, pass or fail.
struct ControlPlaneCluster {
    let server: ServerProcess
    let kubelet: PlayedKubelet

    /// `nodes` are registered (4 CPUs, 8 GiB, Ready) before `body` runs and kept alive by the kubelet.
    static func with(nodes: [String] = ["node-a", "node-b", "node-c"], serverArgs: [String] = [],
                     _ body: (ControlPlaneCluster) async throws -> Void) async throws {
        try await ServerProcess.with(controlLoops: true, extraArgs: serverArgs) { server in
            let kubelet = try PlayedKubelet(kubeconfig: server.kubeconfig)
            for node in nodes { try await kubelet.register(node: node) }
            kubelet.start()
            if !nodes.isEmpty {
                try await settle(server: server, kubelet: kubelet, nodes)
                // The scheduler watches on its own and only once it holds its Lease; give its node watch
                // a moment past that, or on a busy machine a pod can be placed among the nodes it has
                // seen so far (a real cluster has the same window right after nodes join).
                let leading = try await server.poll { () async throws -> Bool? in
                    let out = try await server.kubectl("get", "lease", "kube-scheduler", "-n", "kube-system",
                                                       "-o", "jsonpath={.spec.holderIdentity}")
                    return out.out.isEmpty ? nil : true
                }
                #expect(leading == true, "the scheduler never took its Lease")
                try await Task.sleep(for: .seconds(1))
            }
            defer { kubelet.stop() }
            try await body(ControlPlaneCluster(server: server, kubelet: kubelet))
        }
    }

    var client: KubeAPIClient { kubelet.client }

    /// Waits until `nodes` are schedulable as the control loops see them: each has its podCIDR (the
    /// controllers saw it) and no lifecycle taint. A node is created before its Ready status, so the
    /// lifecycle controller may taint it not-ready first and lift the taint only at its next pass; a
    /// pod placed in that window goes elsewhere. Then a moment for the scheduler's watch to catch up.
    func settle(_ nodes: [String]) async throws {
        try await Self.settle(server: server, kubelet: kubelet, nodes)
        try await Task.sleep(for: .seconds(1))
    }

    static func settle(server: ServerProcess, kubelet: PlayedKubelet, _ nodes: [String]) async throws {
        let lifecycleKeys: Set<String> = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
        let wanted = Set(nodes)
        let settled = try await server.poll { () async throws -> Bool? in
            let all = try await kubelet.client.list(Node.self).items.filter { wanted.contains($0.metadata.name ?? "") }
            return all.count == wanted.count && all.allSatisfy {
                $0.spec?.podCIDR != nil && !($0.spec?.taints ?? []).contains { lifecycleKeys.contains($0.key) }
            } ? true : nil
        }
        #expect(settled == true, "nodes \(nodes) never got their podCIDRs, or kept a not-ready taint")
    }

    /// Pods matching `selector` in default that are not terminating.
    func livePods(_ selector: String) async throws -> [Pod] {
        try await client.list(Pod.self, namespace: "default", options: ListOptions(labelSelector: selector)).items
            .filter { $0.metadata.deletionTimestamp == nil }
    }

    /// Waits until `probe` holds for the live pods of `selector`; returns them (the last seen if it never did).
    @discardableResult
    func waitForPods(_ selector: String, timeout: Duration = .seconds(20), _ probe: ([Pod]) -> Bool) async throws -> [Pod] {
        var last: [Pod] = []
        let found = try await server.poll(timeout: timeout) { () async throws -> [Pod]? in
            last = try await livePods(selector)
            return probe(last) ? last : nil
        }
        return found ?? last
    }
}

extension Pod {
    var isReady: Bool { status?.condition("Ready")?.status == "True" }
    var nodeName: String? { spec?.nodeName }
    var image: String? { spec?.containers.first?.image }
}

/// The seed's Deployment (`shared/scenarios/mydeployment.yaml`), or nil with the reason when the
/// scenarios directory is not beside the repository.
/// The seed's deployment: `shared/scenarios` when it is beside the repository, else the copy kept in
/// Tests/ControlPlaneTests/Fixtures, so a clone elsewhere (CI) still runs every test that uses it.
func seedDeploymentManifest() -> String {
    if let dir = ServerProcess.scenariosDirectory { return dir + "/mydeployment.yaml" }
    return ServerProcess.packageRoot.appendingPathComponent("Tests/ControlPlaneTests/Fixtures/mydeployment.yaml").path
}

@Suite("seed manifest fixture")
struct SeedManifestFixtureTests {
    /// The kept copy must stay the seed's own: compared whenever shared/scenarios is beside the repository.
    @Test func fixtureMatchesTheSeed() throws {
        let fixture = ServerProcess.packageRoot.appendingPathComponent("Tests/ControlPlaneTests/Fixtures/mydeployment.yaml").path
        let copy = try String(contentsOfFile: fixture, encoding: .utf8)
        #expect(copy.contains("name: nginx-deployment"))
        if let dir = ServerProcess.scenariosDirectory {
            #expect(copy == (try String(contentsOfFile: dir + "/mydeployment.yaml", encoding: .utf8)))
        }
    }
}
