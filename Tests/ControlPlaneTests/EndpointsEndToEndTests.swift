import Foundation
import KubeAPI
import Testing

/// Endpoints and EndpointSlices following pod readiness, read with kubectl: a pod that turns
/// unready leaves the ready set (and comes back), a terminating pod is marked terminating.
@Suite("endpoints end to end (kubectl)", .serialized)
struct EndpointsEndToEndTests {
    static let manifest = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 3
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          containers:
          - name: web
            image: localhost:5000/webserver:1
            ports:
            - containerPort: 80
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      selector:
        app: web
      ports:
      - port: 80
        targetPort: 80

    """

    /// `pod-name ready serving terminating` per endpoint of the Service's slices, sorted.
    static let sliceRows = #"jsonpath={range .items[*].endpoints[*]}{.targetRef.name} {.conditions.ready} {.conditions.serving} {.conditions.terminating}{"\n"}{end}"#

    @Test("a pod turning unready moves to notReadyAddresses and back; a terminating pod is marked terminating")
    func readinessAndTermination() async throws {
        try await ControlPlaneCluster.with { c in
            let s = c.server
            var r = try await s.kubectl("apply", "-f", "-", stdin: Self.manifest)
            #expect(r.code == 0, "\(r.err)")
            let pods = try await c.waitForPods("app=web") { $0.count == 3 && $0.allSatisfy { $0.isReady && $0.status?.podIP != nil } }
            let ips = Dictionary(uniqueKeysWithValues: pods.compactMap { p in p.metadata.name.map { ($0, p.status?.podIP ?? "") } })
            #expect(ips.count == 3)
            func addresses() async throws -> RunResult {
                try await s.kubectl("get", "endpoints", "web", "-o", "jsonpath={.subsets[*].addresses[*].ip}|{.subsets[*].notReadyAddresses[*].ip}")
            }
            func sorted(_ ips: some Sequence<String>) -> String { ips.sorted().joined(separator: " ") }
            r = try await s.eventually(addresses) { $0.out == sorted(ips.values) + "|" }
            #expect(r.out == sorted(ips.values) + "|", "\(r.out)\(r.err)")
            func slices() async throws -> RunResult {
                let r = try await s.kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", Self.sliceRows)
                return RunResult(code: r.code, out: r.out.split(separator: "\n").sorted().joined(separator: "\n"), err: r.err)
            }
            let names = ips.keys.sorted()
            let allReady = names.map { "\($0) true true false" }.joined(separator: "\n")
            r = try await s.eventually(slices) { $0.out == allReady }
            #expect(r.out == allReady, "\(r.out)\(r.err)")

            // The kubelet's readiness probe starts failing on one pod.
            let flaky = names[0], flakyIP = ips[flaky] ?? ""
            c.kubelet.withheld.withLock { _ = $0.unreadyPods.insert(flaky) }
            let others = sorted(ips.filter { $0.key != flaky }.values)
            r = try await s.eventually(addresses) { $0.out == others + "|" + flakyIP }
            #expect(r.out == others + "|" + flakyIP, "unready pod still in the ready set: \(r.out)")
            let oneUnready = names.map { $0 == flaky ? "\($0) false false false" : "\($0) true true false" }.joined(separator: "\n")
            r = try await s.eventually(slices) { $0.out == oneUnready }
            #expect(r.out == oneUnready, "\(r.out)")
            c.kubelet.withheld.withLock { _ = $0.unreadyPods.remove(flaky) }
            r = try await s.eventually(addresses) { $0.out == sorted(ips.values) + "|" }
            #expect(r.out == sorted(ips.values) + "|", "recovered pod not back: \(r.out)")

            // A pod being deleted whose containers are still stopping: terminating, still serving,
            // not ready; gone from the Endpoints' addresses.
            let leaving = names[1]
            c.kubelet.withheld.withLock { _ = $0.heldTerminating.insert(leaving) }
            r = try await s.kubectl("delete", "pod", leaving, "--wait=false")
            #expect(r.out == "pod \"\(leaving)\" deleted\n", "\(r.err)")
            r = try await s.eventually(slices) { $0.out.contains("\(leaving) false true true") }
            #expect(r.out.contains("\(leaving) false true true"), "\(r.out)")
            r = try await s.eventually(addresses) { !$0.out.contains(ips[leaving] ?? "-") }
            #expect(!r.out.contains(ips[leaving] ?? "-"), "terminating pod still listed: \(r.out)")
            c.kubelet.withheld.withLock { _ = $0.heldTerminating.remove(leaving) }
            r = try await s.eventually(slices) { !$0.out.contains(leaving) && $0.out.split(separator: "\n").count == 3 }
            #expect(!r.out.contains(leaving) && r.out.split(separator: "\n").count == 3, "\(r.out)")
        }
    }
}
