@testable import APIServer
import Foundation
import KubeAPI
import Testing

/// The real kubectl (v1.32) against the handler over plain HTTP: the commands a user starts with.
@Suite(.serialized) struct KubectlTests {
    @Test func getCreateApplyScaleLabelDelete() async throws {
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let k = try KubectlHarness(handler: env.server)
        defer { k.close() }

        var r = try await k.run("version", "-o", "json")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("v1.32.0-swiftlet"))

        r = try await k.run("get", "namespaces")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("kube-system"))

        r = try await k.run("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("deployment.apps/web created"))

        r = try await k.run("get", "deploy", "web", "-o", "json")
        #expect(r.code == 0, "\(r.err)")
        let dep = try JSONValue.parse(Array(r.out.utf8))
        #expect(dep["spec"]?["replicas"] == .integer(2))

        r = try await k.run("scale", "deployment/web", "--replicas=4")
        #expect(r.code == 0, "\(r.err)")
        r = try await k.run("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}")
        #expect(r.out == "4", "\(r.err)")

        r = try await k.run("label", "deployment", "web", "tier=front")
        #expect(r.code == 0, "\(r.err)")
        r = try await k.run("annotate", "deployment", "web", "note=hi")
        #expect(r.code == 0, "\(r.err)")

        let manifest = try k.file("app.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          mode: fast
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
            targetPort: 8080
        """)
        r = try await k.run("apply", "-f", manifest)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("configmap/settings created"))
        #expect(r.out.contains("service/web created"))
        let changed = try k.file("app2.yaml", """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          mode: slow
        """)
        r = try await k.run("apply", "-f", changed)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("configmap/settings configured"))
        r = try await k.run("get", "cm", "settings", "-o", "jsonpath={.data.mode}")
        #expect(r.out == "slow", "\(r.err)")

        r = try await k.run("get", "svc", "web")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("web"))

        r = try await k.run("run", "pod1", "--image=busybox", "--restart=Never", "--", "sleep", "100")
        #expect(r.code == 0, "\(r.err)")
        r = try await k.run("get", "pods")
        #expect(r.code == 0 && r.out.contains("pod1"), "\(r.err)")

        r = try await k.run("delete", "pod", "pod1")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("pod \"pod1\" deleted"))
        r = try await k.run("delete", "-f", manifest)
        #expect(r.code == 0, "\(r.err)")
        r = try await k.run("delete", "deployment", "web")
        #expect(r.code == 0, "\(r.err)")
        r = try await k.run("get", "deployment", "web")
        #expect(r.code != 0 && r.err.contains("NotFound"))

        // Typed `create` subcommands send protobuf.
        r = try await k.run("create", "configmap", "c1", "--from-literal=a=b")
        #expect(r.code == 0, "\(r.err)")
        r = try await k.run("get", "cm", "c1", "-o", "jsonpath={.data.a}")
        #expect(r.out == "b", "\(r.err)")
        r = try await k.run("create", "secret", "generic", "s1", "--from-literal=k=v")
        #expect(r.code == 0, "\(r.err)")
        r = try await k.run("get", "secret", "s1", "-o", "jsonpath={.data.k}")
        #expect(r.out == "dg==", "\(r.err)")
        r = try await k.run("create", "service", "nodeport", "np", "--tcp=80:8080")
        #expect(r.code == 0, "\(r.err)")
        r = try await k.run("get", "svc", "np", "-o", "json")
        let np = try JSONValue.parse(Array(r.out.utf8))
        #expect(np["spec"]?["ports"]?.arrayValue?.first?["nodePort"]?.integerValue.map { (30000...32767).contains($0) } == true)
        #expect(np["spec"]?["ports"]?.arrayValue?.first?["targetPort"] == .integer(8080))

        r = try await k.run("create", "namespace", "team")
        #expect(r.code == 0, "\(r.err)")
        r = try await k.run("get", "sa", "-n", "team")
        #expect(r.out.contains("default"), "\(r.err)")
        r = try await k.run("api-resources")
        #expect(r.code == 0 && r.out.contains("deployments"), "\(r.err)")
    }
}
