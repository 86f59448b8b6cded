import Foundation
import Testing

/// The issue's kubectl walkthrough against a real `swiftlet server`, compared with what kubectl
/// prints against Kubernetes.
@Suite("kubectl end to end", .serialized)
struct KubectlEndToEndTests {
    static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      labels:
        app: web
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          containers:
          - name: nginx
            image: nginx:1.25
            ports:
            - containerPort: 80

    """

    @Test("apply, get in every output, label, annotate, patch (3 types), edit, re-apply keeps others' fields, describe, delete")
    func deploymentLifecycle() async throws {
        try await ServerProcess.with { s in
            let manifest = try s.directory.write("web.yaml", Self.deployment)
            var r = try await s.kubectl("apply", "-f", manifest)
            #expect(r.out == "deployment.apps/web created\n", "\(r.err)")
            r = try await s.kubectl("apply", "-f", manifest)
            #expect(r.out == "deployment.apps/web unchanged\n", "\(r.err)")

            r = try await s.kubectl("get", "deployment", "web", "-o", "jsonpath={.spec.replicas} {.metadata.namespace}")
            #expect(r.out == "2 default")
            r = try await s.kubectl("get", "deploy", "web", "-o", "yaml")
            #expect(r.out.hasPrefix("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"), "\(r.out)")
            #expect(r.out.contains("  replicas: 2\n") && r.out.contains("  resourceVersion: \""))
            r = try await s.kubectl("get", "deploy", "-l", "app=web", "-o", "name")
            #expect(r.out == "deployment.apps/web\n")
            r = try await s.kubectl("get", "deploy", "-l", "app=other")
            #expect(r.err == "No resources found in default namespace.\n", "\(r.err)")
            r = try await s.kubectl("get", "deploy", "-A", "-o", "name")
            #expect(r.out == "deployment.apps/web\n")
            r = try await s.kubectl("get", "all", "-o", "name")
            #expect(r.out.contains("service/kubernetes\n") && r.out.contains("deployment.apps/web\n"), "\(r.out)\(r.err)")

            // Another client's change (a sidecar) survives re-applying the edited manifest.
            r = try await s.kubectl("patch", "deployment", "web", "-p",
                                    #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}"#)
            #expect(r.out == "deployment.apps/web patched\n", "\(r.err)")
            let edited = try s.directory.write("web2.yaml", Self.deployment.replacingOccurrences(of: "replicas: 2", with: "replicas: 3"))
            r = try await s.kubectl("apply", "-f", edited)
            #expect(r.out == "deployment.apps/web configured\n", "\(r.err)")
            r = try await s.kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[*].name}")
            // Strategic merge puts the patch's new list items first (the kubectl patch docs show the same).
            #expect(r.out == "3 sidecar nginx")

            r = try await s.kubectl("label", "deploy", "web", "tier=front")
            #expect(r.out == "deployment.apps/web labeled\n")
            r = try await s.kubectl("annotate", "deploy", "web", "note=hello")
            #expect(r.out == "deployment.apps/web annotated\n")
            r = try await s.kubectl("patch", "deploy", "web", "--type=merge", "-p", #"{"metadata":{"labels":{"m":"1"}}}"#)
            #expect(r.out == "deployment.apps/web patched\n")
            r = try await s.kubectl("patch", "deploy", "web", "--type=json", "-p", #"[{"op":"replace","path":"/spec/replicas","value":4}]"#)
            #expect(r.out == "deployment.apps/web patched\n")
            r = try await s.kubectl("edit", "deploy", "web", environment: ["KUBE_EDITOR": "sed -i s/replicas:\\ 4/replicas:\\ 5/"])
            #expect(r.out == "deployment.apps/web edited\n", "\(r.err)")
            r = try await s.kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.metadata.labels.tier} {.metadata.labels.m} {.metadata.annotations.note}")
            #expect(r.out == "5 front 1 hello")

            r = try await s.kubectl("describe", "deployment", "web")
            #expect(r.out.hasPrefix("Name:                   web\nNamespace:              default\n"), "\(r.out)")
            #expect(r.out.contains("Replicas:               5 desired |"))

            let wide = try await s.kubectl("get", "deploy", "-o", "wide")
            let table = wide.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(table.first == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"], "\(wide.out)")
            if table.count == 2 {
                #expect(Array(table[1].prefix(4)) == ["web", "0/5", "0", "0"])
                #expect(Array(table[1].suffix(3)) == ["sidecar,nginx", "busybox:1.36,nginx:1.25", "app=web"], "\(wide.out)")
            } else {
                Issue.record("one deployment row expected: \(wide.out)")
            }

            r = try await s.kubectl("delete", "deployment", "web", "--cascade=background")
            #expect(r.out == "deployment.apps \"web\" deleted\n", "\(r.err)")
            r = try await s.kubectl("get", "deployment", "web")
            #expect(r.err == "Error from server (NotFound): deployments.apps \"web\" not found\n")
        }
    }

    @Test("watch: kubectl get -w sees ADDED, MODIFIED and DELETED as they happen")
    func watch() async throws {
        try await ServerProcess.with { s in
            let watcher = try ChildProcess("/usr/bin/kubectl", ["--kubeconfig", s.kubeconfig, "--cache-dir", s.directory.path + "/wc",
                                                               "get", "configmaps", "-w", "--output-watch-events", "-o",
                                                               "jsonpath={.type} {.object.metadata.name} {.object.data.v}{\"\\n\"}"])
            defer { watcher.stop() }
            try await Task.sleep(for: .milliseconds(1000))
            let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: w1\ndata:\n  v: \"1\"\n"
            _ = try await s.kubectl("apply", "-f", "-", stdin: cm)
            _ = try await s.kubectl("apply", "-f", "-", stdin: cm.replacingOccurrences(of: "\"1\"", with: "\"2\""))
            _ = try await s.kubectl("delete", "configmap", "w1")
            var seen = ""
            for _ in 0..<100 {
                seen = watcher.stdout
                if seen.contains("DELETED") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(seen == "ADDED w1 1\nMODIFIED w1 2\nDELETED w1 2\n", "\(seen)\(watcher.stderr)")
        }
    }

    @Test("errors as kubectl prints them: 404, unknown resource, 422 with field path, 409, 401")
    func errors() async throws {
        try await ServerProcess.with { s in
            var r = try await s.kubectl("get", "pods", "nope")
            #expect(r.code == 1 && r.err == "Error from server (NotFound): pods \"nope\" not found\n", "\(r.err)")
            r = try await s.kubectl("get", "foos")
            #expect(r.code == 1 && r.err == "error: the server doesn't have a resource type \"foos\"\n", "\(r.err)")
            r = try await s.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: Service\nmetadata:\n  name: s1\nspec:\n  ports:\n  - port: 70000\n")
            #expect(r.code == 1)
            #expect(r.err.hasPrefix("The Service \"s1\" is invalid: \n* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n"), "\(r.err)")
            r = try await s.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n")
            #expect(r.err.hasPrefix("The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"), "\(r.err)")

            _ = try await s.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"1\"\n")
            let stale = try await s.kubectl("get", "configmap", "c", "-o", "yaml")
            _ = try await s.kubectl("label", "configmap", "c", "moved=on")
            let file = try s.directory.write("stale.yaml", stale.out.replacingOccurrences(of: "a: \"1\"", with: "a: \"2\""))
            r = try await s.kubectl("replace", "-f", file)
            #expect(r.err == "Error from server (Conflict): error when replacing \"\(file)\": Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again\n", "\(r.err)")

            r = try await run("/usr/bin/kubectl", ["--server", s.url, "--insecure-skip-tls-verify", "--token", "nope",
                                                   "--cache-dir", s.directory.path + "/anon", "get", "pods"])
            // kubectl's discovery logs each 401 before the final line, as it does against kube-apiserver.
            #expect(r.err.hasSuffix("\nerror: You must be logged in to the server (the server has asked for the client to provide credentials)\n"), "\(r.err)")
        }
    }

    @Test("api-resources, create namespace/configmap/secret, explain")
    func discoveryAndCreate() async throws {
        try await ServerProcess.with { s in
            var r = try await s.kubectl("api-resources", "--no-headers")
            let rows = r.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(rows.contains("deployments deploy apps/v1 true Deployment"), "\(r.out)")
            #expect(rows.contains("pods po v1 true Pod"))
            #expect(rows.contains("namespaces ns v1 false Namespace"))

            // kubectl 1.32's typed clients POST protobuf bodies.
            r = try await s.kubectl("create", "namespace", "team")
            #expect(r.out == "namespace/team created\n", "\(r.err)")
            r = try await s.kubectl("create", "configmap", "settings", "--from-literal=mode=fast")
            #expect(r.out == "configmap/settings created\n", "\(r.err)")
            r = try await s.kubectl("create", "secret", "generic", "pw", "--from-literal=password=s3cret")
            #expect(r.out == "secret/pw created\n", "\(r.err)")
            r = try await s.kubectl("get", "namespaces")
            let rows2 = r.out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(rows2.first == ["NAME", "STATUS", "AGE"], "\(r.out)")
            #expect(rows2.contains { $0.prefix(2) == ["team", "Active"] })
            r = try await s.kubectl("get", "secret", "pw", "-o", "jsonpath={.type} {.data.password}")
            #expect(r.out == "Opaque czNjcmV0")
            r = try await s.kubectl("explain", "deployment.spec.replicas")
            #expect(r.out.hasPrefix("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n"), "\(r.out)\(r.err)")
        }
    }

    @Test("delete --cascade=orphan leaves the ReplicaSet, --cascade=foreground removes it first (garbage collector)")
    func cascadingDeletes() async throws {
        try await ServerProcess.with(controlLoops: true) { s in
            _ = try await s.kubectl("create", "deployment", "a", "--image=nginx:1.25")
            _ = try await s.kubectl("create", "deployment", "b", "--image=nginx:1.25")
            // Each Deployment gets its ReplicaSet from the controllers.
            for name in ["a", "b"] {
                let rs = try await s.eventually { try await s.kubectl("get", "rs", "-l", "app=\(name)", "-o", "name") }
                    until: { !$0.out.isEmpty }
                #expect(rs.out.hasPrefix("replicaset.apps/\(name)-"), "\(name): \(rs.out) \(rs.err)")
            }
            for (name, cascade) in [("a", "orphan"), ("b", "foreground")] {
                let r = try await s.kubectl("delete", "deployment", name, "--cascade=" + cascade, "--timeout=20s")
                #expect(r.code == 0, "\(cascade): \(r.err)")
                let gone = try await s.kubectl("get", "deployment", name)
                #expect(gone.err == "Error from server (NotFound): deployments.apps \"\(name)\" not found\n", "\(cascade)")
            }
            // Orphaned: the ReplicaSet stays, without its owner reference. Foreground: it is gone.
            let orphan = try await s.kubectl("get", "rs", "-l", "app=a", "-o", "jsonpath={.items[*].metadata.ownerReferences}")
            #expect(orphan.code == 0 && orphan.out.isEmpty, "orphaned ReplicaSet keeps owner refs: \(orphan.out) \(orphan.err)")
            let kept = try await s.kubectl("get", "rs", "-l", "app=a", "-o", "name")
            #expect(!kept.out.isEmpty, "orphaned ReplicaSet was deleted")
            let removed = try await s.kubectl("get", "rs", "-l", "app=b", "-o", "name")
            #expect(removed.out.isEmpty, "foreground left \(removed.out)")
        }
    }
}
