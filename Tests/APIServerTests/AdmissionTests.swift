@testable import APIServer
import KubeAPI
import Testing

@Suite struct DefaultingTests {
    func defaulted(_ resource: String, _ json: String) throws -> JSONValue {
        var v = try JSONValue.parse(Array(json.utf8))
        Defaulting.apply(resource: resource, to: &v)
        return v
    }

    @Test func podDefaults() throws {
        let p = try defaulted("pods", #"{"spec":{"containers":[{"name":"a","image":"nginx","ports":[{"containerPort":80}]},{"name":"b","image":"busybox:1.36"}]}}"#)
        let spec = p["spec"]!
        #expect(spec["restartPolicy"] == .string("Always"))
        #expect(spec["terminationGracePeriodSeconds"] == .integer(30))
        #expect(spec["dnsPolicy"] == .string("ClusterFirst"))
        #expect(spec["schedulerName"] == .string("default-scheduler"))
        #expect(spec["securityContext"] == .object([:]))
        #expect(spec["serviceAccountName"] == .string("default"))
        let c = spec["containers"]!.arrayValue!
        #expect(c[0]["imagePullPolicy"] == .string("Always"))
        #expect(c[1]["imagePullPolicy"] == .string("IfNotPresent"))
        #expect(c[0]["terminationMessagePath"] == .string("/dev/termination-log"))
        #expect(c[0]["terminationMessagePolicy"] == .string("File"))
        #expect(c[0]["ports"]!.arrayValue![0]["protocol"] == .string("TCP"))
    }

    @Test func pullPolicyByTag() {
        #expect(Defaulting.defaultPullPolicy(image: "nginx") == "Always")
        #expect(Defaulting.defaultPullPolicy(image: "nginx:latest") == "Always")
        #expect(Defaulting.defaultPullPolicy(image: "nginx:1.25") == "IfNotPresent")
        #expect(Defaulting.defaultPullPolicy(image: "localhost:5000/nginx") == "Always")
        #expect(Defaulting.defaultPullPolicy(image: "localhost:5000/nginx:v1") == "IfNotPresent")
        #expect(Defaulting.defaultPullPolicy(image: "nginx@sha256:abcd") == "IfNotPresent")
    }

    @Test func serviceDefaults() throws {
        let s = try defaulted("services", #"{"spec":{"ports":[{"port":80}]}}"#)
        #expect(s["spec"]?["type"] == .string("ClusterIP"))
        #expect(s["spec"]?["sessionAffinity"] == .string("None"))
        let port = s["spec"]!["ports"]!.arrayValue![0]
        #expect(port["protocol"] == .string("TCP") && port["targetPort"] == .integer(80))
    }

    @Test func deploymentDefaults() throws {
        let d = try defaulted("deployments", #"{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"}]}}}}"#)
        let spec = d["spec"]!
        #expect(spec["replicas"] == .integer(1))
        #expect(spec["revisionHistoryLimit"] == .integer(10))
        #expect(spec["progressDeadlineSeconds"] == .integer(600))
        #expect(spec["strategy"]?["type"] == .string("RollingUpdate"))
        #expect(spec["strategy"]?["rollingUpdate"]?["maxSurge"] == .string("25%"))
        #expect(spec["strategy"]?["rollingUpdate"]?["maxUnavailable"] == .string("25%"))
        #expect(spec["template"]?["spec"]?["restartPolicy"] == .string("Always"))
    }

    @Test func namespaceDefaults() throws {
        let n = try defaulted("namespaces", #"{"metadata":{"name":"team-a"}}"#)
        #expect(n.meta("labels")?["kubernetes.io/metadata.name"] == .string("team-a"))
        #expect(n["status"]?["phase"] == .string("Active"))
        #expect(n["spec"]?["finalizers"] == .array([.string("kubernetes")]))
    }
}

@Suite struct ValidationTests {
    func errors(_ resource: String, _ json: String, old: String? = nil) throws -> [String] {
        let strategy = ResourceStrategy.lookup(group: resource == "deployments" || resource == "replicasets" ? "apps" : "",
                                               version: "v1", resource: resource)!
        var v = try JSONValue.parse(Array(json.utf8))
        Defaulting.apply(resource: resource, to: &v)
        var o = try old.map { try JSONValue.parse(Array($0.utf8)) }
        if o != nil { Defaulting.apply(resource: resource, to: &o!) }
        return ObjectValidation.validate(strategy, v, old: o).map(\.description)
    }

    @Test func podMissingImageAndBadPort() throws {
        let e = try errors("pods", #"{"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[{"name":"c","ports":[{"containerPort":0}]}]}}"#)
        #expect(e.contains("spec.containers[0].image: Required value"))
        #expect(e.contains("spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive"))
    }

    @Test func podNeedsContainers() throws {
        let e = try errors("pods", #"{"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[]}}"#)
        #expect(e == ["spec.containers: Required value"])
    }

    @Test func badNameMessage() throws {
        let e = try errors("pods", #"{"metadata":{"name":"Bad_Name","namespace":"d"},"spec":{"containers":[{"name":"c","image":"x"}]}}"#)
        #expect(e == [#"metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#])
    }

    @Test func deploymentSelectorMustMatchTemplate() throws {
        let e = try errors("deployments", #"{"metadata":{"name":"d","namespace":"n"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}"#)
        #expect(e == [#"spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`"#])
    }

    @Test func deploymentSelectorImmutable() throws {
        let old = #"{"metadata":{"name":"d","namespace":"n"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"a","x":"y"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}"#
        let new = #"{"metadata":{"name":"d","namespace":"n"},"spec":{"selector":{"matchLabels":{"x":"y"}},"template":{"metadata":{"labels":{"app":"a","x":"y"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}"#
        let e = try errors("deployments", new, old: old)
        #expect(e.count == 1 && e[0].hasPrefix("spec.selector: Invalid value: ") && e[0].hasSuffix("field is immutable"))
    }

    @Test func serviceNeedsPortsAndDNS1035Name() throws {
        let e = try errors("services", #"{"metadata":{"name":"1svc","namespace":"n"},"spec":{}}"#)
        #expect(e.contains { $0.hasPrefix("metadata.name: Invalid value: \"1svc\": a DNS-1035 label") })
        #expect(e.contains("spec.ports: Required value"))
    }

    @Test func podUpdateMayOnlyChangeImages() throws {
        let old = #"{"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[{"name":"c","image":"x"}]}}"#
        #expect(try errors("pods", #"{"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[{"name":"c","image":"y"}]}}"#, old: old).isEmpty)
        let e = try errors("pods", #"{"metadata":{"name":"p","namespace":"d"},"spec":{"containers":[{"name":"c","image":"x"}],"hostNetwork":true}}"#, old: old)
        #expect(e.count == 1 && e[0].hasPrefix("spec: Forbidden: pod updates may not change fields"))
    }

    @Test func statusRendering() {
        let s = Status.invalid(kind: "Pod", name: "x", [.required("spec.containers[0].image")])
        #expect(s.message == "Pod \"x\" is invalid: spec.containers[0].image: Required value")
        #expect(s.reason == "Invalid" && s.code == 422)
        #expect(s.details?.causes?.first?.reason == "FieldValueRequired")
        #expect(s.details?.causes?.first?.field == "spec.containers[0].image")
    }
}
