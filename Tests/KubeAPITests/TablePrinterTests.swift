import Foundation
import Testing
@testable import KubeAPI

typealias KJSON = KubeAPI.JSONValue

/// Expected cells follow what `kubectl get` prints against a real cluster for the same objects.
@Suite struct TablePrinterTests {
    /// 2026-11-24T17:00:00Z
    static let now = Date(timeIntervalSince1970: 1_795_539_600)

    /// An RFC 3339 time `seconds` before `now`.
    static func ago(_ seconds: Int64) -> String { Time(seconds: 1_795_539_600 - seconds).rfc3339 }

    static func json(_ s: String) -> KJSON { try! KJSON.parse(Array(s.utf8)) }

    static func cells(_ resource: String, _ object: String) -> [KJSON] {
        let t = TablePrinter.table(resource: resource, objects: [json(object)], now: now, includeObject: .none)
        return t["rows"]?.arrayValue?.first?["cells"]?.arrayValue ?? []
    }

    static func strings(_ resource: String, _ object: String) -> [String] {
        cells(resource, object).map { $0.stringValue ?? $0.integerValue.map(String.init) ?? "?" }
    }

    @Test func humanDuration() {
        let cases: [(Int64, String)] = [
            (-5, "<invalid>"), (-1, "0s"), (0, "0s"), (59, "59s"), (119, "119s"), (120, "2m"), (150, "2m30s"),
            (599, "9m59s"), (600, "10m"), (10_799, "179m"), (10_800, "3h"), (11_100, "3h5m"), (28_799, "7h59m"),
            (28_800, "8h"), (172_799, "47h"), (172_800, "2d"), (183_600, "2d3h"), (691_199, "7d23h"),
            (691_200, "8d"), (63_071_999, "729d"), (63_072_000, "2y"), (64_000_000, "2y10d"),
            (252_288_000, "8y"),
        ]
        for (seconds, expected) in cases {
            #expect(HumanDuration.string(seconds: seconds) == expected, "\(seconds)s")
        }
        #expect(HumanDuration.since(nil, now: Self.now) == "<unknown>")
        #expect(HumanDuration.since(Self.ago(300), now: Self.now) == "5m")
    }

    @Test func tableShape() {
        let pod = Self.json(#"{"metadata":{"name":"a","namespace":"default","uid":"u1","resourceVersion":"7","creationTimestamp":"\#(Self.ago(60))"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Pending"}}"#)
        let t = TablePrinter.table(resource: "pods", objects: [pod], now: Self.now, includeObject: .metadata,
                                   listMetadata: .object(["resourceVersion": .string("9")]))
        #expect(t["kind"] == .string("Table"))
        #expect(t["apiVersion"] == .string("meta.k8s.io/v1"))
        #expect(t["metadata"]?["resourceVersion"] == .string("9"))
        let columns = t["columnDefinitions"]?.arrayValue ?? []
        #expect(columns.map { $0["name"]?.stringValue ?? "" }
            == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
        #expect(columns[0]["format"] == .string("name"))
        #expect(columns.map { $0["priority"]?.integerValue ?? -1 } == [0, 0, 0, 0, 0, 1, 1, 1, 1])
        let row = t["rows"]?.arrayValue?.first
        #expect(row?["object"]?["kind"] == .string("PartialObjectMetadata"))
        #expect(row?["object"]?["metadata"]?["uid"] == .string("u1"))
        #expect(row?["cells"]?.arrayValue?.count == columns.count)

        let full = TablePrinter.table(resource: "pods", objects: [pod], now: Self.now, includeObject: .object)
        #expect(full["rows"]?.arrayValue?.first?["object"] == pod)
        let bare = TablePrinter.table(resource: "pods", objects: [pod], now: Self.now, includeObject: .none)
        #expect(bare["rows"]?.arrayValue?.first?["object"] == nil)
        #expect(IncludeObject(parameter: nil) == .metadata)
        #expect(IncludeObject(parameter: "Object") == .object)
        #expect(IncludeObject(parameter: "bogus") == nil)
    }

    static func pod(_ status: String, spec: String = #"{"containers":[{"name":"web"}]}"#, meta: String = "") -> String {
        #"{"metadata":{"name":"web-1","creationTimestamp":"\#(ago(7200))"\#(meta)},"spec":\#(spec),"status":\#(status)}"#
    }

    @Test func podPending() {
        #expect(Self.strings("pods", Self.pod(#"{"phase":"Pending"}"#))
            == ["web-1", "0/1", "Pending", "0", "120m", "<none>", "<none>", "<none>", "<none>"])
    }

    @Test func podContainerCreating() {
        let s = #"{"phase":"Pending","containerStatuses":[{"name":"web","ready":false,"restartCount":0,"image":"nginx","imageID":"","state":{"waiting":{"reason":"ContainerCreating"}}}]}"#
        #expect(Self.strings("pods", Self.pod(s))[1...2] == ["0/1", "ContainerCreating"])
    }

    @Test func podRunningWide() {
        let spec = #"{"nodeName":"node-a","containers":[{"name":"web"},{"name":"side"}],"readinessGates":[{"conditionType":"example.com/gate"}]}"#
        let s = #"{"phase":"Running","podIP":"10.244.0.5","podIPs":[{"ip":"10.244.0.5"}],"nominatedNodeName":"node-b","conditions":[{"type":"Ready","status":"True"},{"type":"example.com/gate","status":"True"}],"containerStatuses":[{"name":"web","ready":true,"restartCount":0,"image":"nginx","imageID":"","state":{"running":{"startedAt":"\#(Self.ago(100))"}}},{"name":"side","ready":true,"restartCount":0,"image":"busybox","imageID":"","state":{"running":{}}}]}"#
        #expect(Self.strings("pods", Self.pod(s, spec: spec))
            == ["web-1", "2/2", "Running", "0", "120m", "10.244.0.5", "node-a", "node-b", "1/1"])
    }

    @Test func podCrashLoopWithRestartAge() {
        let s = #"{"phase":"Running","containerStatuses":[{"name":"web","ready":false,"restartCount":3,"image":"x","imageID":"","state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off"}},"lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"\#(Self.ago(300))"}}}]}"#
        #expect(Self.strings("pods", Self.pod(s))[1...3] == ["0/1", "CrashLoopBackOff", "3 (5m ago)"])
    }

    @Test func podCompletedAndFailed() {
        let done = #"{"phase":"Succeeded","containerStatuses":[{"name":"web","ready":false,"restartCount":0,"image":"x","imageID":"","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}"#
        let t = TablePrinter.table(resource: "pods", objects: [Self.json(Self.pod(done))], now: Self.now, includeObject: .none)
        let row = t["rows"]?.arrayValue?.first
        #expect(row?["cells"]?.arrayValue?[2] == .string("Completed"))
        #expect(row?["conditions"]?.arrayValue?.first?["type"] == .string("Completed"))
        #expect(row?["conditions"]?.arrayValue?.first?["reason"] == .string("Succeeded"))

        let signal = #"{"phase":"Failed","containerStatuses":[{"name":"web","ready":false,"restartCount":0,"image":"x","imageID":"","state":{"terminated":{"exitCode":137,"signal":9}}}]}"#
        #expect(Self.strings("pods", Self.pod(signal))[2] == "Signal:9")
        let exit = #"{"phase":"Failed","containerStatuses":[{"name":"web","ready":false,"restartCount":0,"image":"x","imageID":"","state":{"terminated":{"exitCode":2}}}]}"#
        #expect(Self.strings("pods", Self.pod(exit))[2] == "ExitCode:2")
        #expect(Self.strings("pods", Self.pod(#"{"phase":"Failed","reason":"Evicted"}"#))[2] == "Evicted")
    }

    @Test func podCompletedButSidecarRunning() {
        let spec = #"{"containers":[{"name":"a"},{"name":"b"}]}"#
        let s = #"{"phase":"Running","conditions":[{"type":"Ready","status":"False"}],"containerStatuses":[{"name":"a","ready":false,"restartCount":0,"image":"x","imageID":"","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},{"name":"b","ready":true,"restartCount":0,"image":"x","imageID":"","state":{"running":{}}}]}"#
        // Statuses are read last to first: b is running, then a's "Completed" sets the reason.
        #expect(Self.strings("pods", Self.pod(s, spec: spec))[1...2] == ["1/2", "NotReady"])
    }

    @Test func podInitContainers() {
        let spec = #"{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"web"}]}"#
        let first = #"{"phase":"Pending","initContainerStatuses":[{"name":"i1","ready":false,"restartCount":0,"image":"x","imageID":"","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},{"name":"i2","ready":false,"restartCount":0,"image":"x","imageID":"","state":{"running":{}}}]}"#
        #expect(Self.strings("pods", Self.pod(first, spec: spec))[2] == "Init:1/2")
        let crash = #"{"phase":"Pending","initContainerStatuses":[{"name":"i1","ready":false,"restartCount":4,"image":"x","imageID":"","state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}"#
        #expect(Self.strings("pods", Self.pod(crash, spec: spec))[2...3] == ["Init:CrashLoopBackOff", "4"])
        let failed = #"{"phase":"Pending","initContainerStatuses":[{"name":"i1","ready":false,"restartCount":0,"image":"x","imageID":"","state":{"terminated":{"exitCode":3}}}]}"#
        #expect(Self.strings("pods", Self.pod(failed, spec: spec))[2] == "Init:ExitCode:3")
        let waiting = #"{"phase":"Pending","initContainerStatuses":[{"name":"i1","ready":false,"restartCount":0,"image":"x","imageID":"","state":{"waiting":{"reason":"PodInitializing"}}}]}"#
        #expect(Self.strings("pods", Self.pod(waiting, spec: spec))[2] == "Init:0/2")
    }

    @Test func podSidecarCountsTowardsReady() {
        let spec = #"{"initContainers":[{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"web"}]}"#
        let s = #"{"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],"initContainerStatuses":[{"name":"proxy","ready":true,"started":true,"restartCount":1,"image":"x","imageID":"","state":{"running":{}}}],"containerStatuses":[{"name":"web","ready":true,"restartCount":0,"image":"x","imageID":"","state":{"running":{}}}]}"#
        #expect(Self.strings("pods", Self.pod(s, spec: spec))[1...3] == ["2/2", "Running", "1"])
    }

    @Test func podTerminatingAndUnknown() {
        let meta = #","deletionTimestamp":"\#(Self.ago(10))""#
        #expect(Self.strings("pods", Self.pod(#"{"phase":"Running"}"#, meta: meta))[2] == "Terminating")
        #expect(Self.strings("pods", Self.pod(#"{"phase":"Succeeded"}"#, meta: meta))[2] == "Succeeded")
        #expect(Self.strings("pods", Self.pod(#"{"phase":"Running","reason":"NodeLost"}"#, meta: meta))[2] == "Unknown")
        let gated = #"{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}"#
        #expect(Self.strings("pods", Self.pod(gated))[2] == "SchedulingGated")
    }

    @Test func deployments() {
        let d = #"{"metadata":{"name":"web","creationTimestamp":"\#(Self.ago(190_000))"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web","tier":"fe"}},"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},{"name":"log","image":"busybox"}]}}},"status":{"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":2}}"#
        let cells = Self.cells("deployments", d)
        #expect(cells == [.string("web"), .string("2/3"), .integer(3), .integer(2), .string("2d4h"),
                          .string("nginx,log"), .string("nginx:1.27,busybox"), .string("app=web,tier=fe")])
        let columns = TablePrinter.columns(resource: "deployments.apps").map(\.name)
        #expect(columns == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
        let empty = #"{"metadata":{"name":"x"},"spec":{"selector":{}}}"#
        #expect(Self.strings("deployments", empty)[1...4] == ["0/1", "0", "0", "<unknown>"])
    }

    @Test func replicaSets() {
        let rs = #"{"metadata":{"name":"web-5d4f","creationTimestamp":"\#(Self.ago(30))"},"spec":{"replicas":2,"selector":{"matchExpressions":[{"key":"app","operator":"In","values":["web"]}]},"template":{"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}},"status":{"replicas":2,"readyReplicas":1}}"#
        #expect(Self.cells("replicasets", rs) == [.string("web-5d4f"), .integer(2), .integer(2), .integer(1),
                                                  .string("30s"), .string("nginx"), .string("nginx"),
                                                  .string("app in (web)")])
    }

    @Test func services() {
        let np = #"{"metadata":{"name":"web","creationTimestamp":"\#(Self.ago(600))"},"spec":{"type":"NodePort","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],"selector":{"app":"web"},"ports":[{"port":80,"protocol":"TCP"},{"port":443,"nodePort":30443,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]}}"#
        #expect(Self.strings("services", np) == ["web", "NodePort", "10.96.0.10", "<none>", "80/TCP,443:30443/TCP,53/UDP", "10m", "app=web"])
        let headless = #"{"metadata":{"name":"db"},"spec":{"clusterIP":"None","clusterIPs":["None"]}}"#
        #expect(Self.strings("services", headless) == ["db", "ClusterIP", "None", "<none>", "<none>", "<unknown>", "<none>"])
        let lb = #"{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIPs":["10.96.1.1"],"ports":[{"port":80,"nodePort":31000,"protocol":"TCP"}]},"status":{"loadBalancer":{}}}"#
        #expect(Self.strings("services", lb)[3] == "<pending>")
        let lbReady = lb.replacingOccurrences(of: #""loadBalancer":{}"#, with: #""loadBalancer":{"ingress":[{"ip":"192.0.2.9"},{"hostname":"lb.example"}]}"#)
        #expect(Self.strings("services", lbReady)[3] == "192.0.2.9,lb.example")
        let ext = #"{"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"example.com"}}"#
        #expect(Self.strings("services", ext)[1...4] == ["ExternalName", "<none>", "example.com", "<none>"])
    }

    @Test func endpointsAndSlices() {
        let ep = #"{"metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],"ports":[{"port":80},{"port":443}]}]}"#
        #expect(Self.strings("endpoints", ep)[1] == "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...")
        #expect(Self.strings("endpoints", #"{"metadata":{"name":"none"}}"#)[1] == "<none>")
        let slice = #"{"metadata":{"name":"web-abc"},"addressType":"IPv4","ports":[{"name":"http","port":80},{"name":"named"}],"endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2"]}]}"#
        #expect(Self.strings("endpointslices", slice)[0...3] == ["web-abc", "IPv4", "80,named", "10.0.0.1,10.0.0.2"])
        #expect(Self.strings("endpointslices", #"{"metadata":{"name":"e"},"addressType":"IPv4","endpoints":[]}"#)[2...3] == ["<unset>", "<unset>"])
    }

    @Test func nodes() {
        let n = #"{"metadata":{"name":"node-a","creationTimestamp":"\#(Self.ago(3600 * 30))","labels":{"node-role.kubernetes.io/control-plane":"","kubernetes.io/role":"worker"}},"spec":{"unschedulable":true},"status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],"addresses":[{"type":"InternalIP","address":"192.168.1.10"},{"type":"Hostname","address":"node-a"}],"nodeInfo":{"kubeletVersion":"v1.32.0-swiftlet","osImage":"Debian GNU/Linux 12 (bookworm)","kernelVersion":"6.1.0","containerRuntimeVersion":"swiftlet://0.1"}}}"#
        #expect(Self.strings("nodes", n) == ["node-a", "Ready,SchedulingDisabled", "control-plane,worker", "30h", "v1.32.0-swiftlet",
                                             "192.168.1.10", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0", "swiftlet://0.1"])
        #expect(Self.strings("nodes", #"{"metadata":{"name":"b"}}"#)[1...2] == ["Unknown", "<none>"])
        let notReady = #"{"metadata":{"name":"c"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}}"#
        #expect(Self.strings("nodes", notReady)[1] == "NotReady")
    }

    @Test func events() {
        let ev = #"{"metadata":{"name":"web-1.17f","namespace":"default"},"involvedObject":{"kind":"Pod","name":"web-1","fieldPath":"spec.containers{web}"},"reason":"Pulled","message":"Successfully pulled image \"nginx\"\n","source":{"component":"kubelet","host":"node-a"},"firstTimestamp":"\#(Self.ago(600))","lastTimestamp":"\#(Self.ago(60))","count":4,"type":"Normal"}"#
        #expect(Self.cells("events", ev) == [.string("60s"), .string("Normal"), .string("Pulled"), .string("pod/web-1"),
                                             .string("spec.containers{web}"), .string("kubelet, node-a"),
                                             .string("Successfully pulled image \"nginx\""), .string("10m"),
                                             .integer(4), .string("web-1.17f")])
        #expect(TablePrinter.columns(resource: "events").filter { $0.priority == 0 }.map(\.name)
            == ["Last Seen", "Type", "Reason", "Object", "Message"])
        let newAPI = #"{"metadata":{"name":"e2"},"involvedObject":{"kind":"Node"},"eventTime":"\#(MicroTime(microseconds: (1_795_539_600 - 90) * 1_000_000).rfc3339)","reportingComponent":"scheduler","type":"Warning","reason":"X"}"#
        let cells = Self.strings("events", newAPI)
        #expect(cells[0] == "90s")
        #expect(cells[3] == "node")
        #expect(cells[5] == "scheduler")
        #expect(cells[8] == "1")
    }

    @Test func smallKinds() {
        let created = #""creationTimestamp":"\#(Self.ago(86_400 * 3))""#
        #expect(Self.strings("namespaces", #"{"metadata":{"name":"kube-system",\#(created)},"status":{"phase":"Active"}}"#)
            == ["kube-system", "Active", "3d"])
        #expect(Self.strings("configmaps", #"{"metadata":{"name":"cm",\#(created)},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}}"#)
            == ["cm", "3", "3d"])
        #expect(Self.strings("secrets", #"{"metadata":{"name":"s",\#(created)},"type":"Opaque","data":{"a":"MQ=="}}"#)
            == ["s", "Opaque", "1", "3d"])
        #expect(Self.strings("serviceaccounts", #"{"metadata":{"name":"default",\#(created)}}"#) == ["default", "0", "3d"])
        #expect(Self.strings("leases", #"{"metadata":{"name":"node-a",\#(created)},"spec":{"holderIdentity":"node-a"}}"#)
            == ["node-a", "node-a", "3d"])
        let columns = TablePrinter.columns(resource: "bindings")
        #expect(columns.map(\.name) == ["Name", "Created At"])
        #expect(columns[1].type == "date")
        #expect(Self.strings("bindings", #"{"metadata":{"name":"b","creationTimestamp":"2026-11-24T16:35:14Z"}}"#)
            == ["b", "2026-11-24T16:35:14Z"])
    }
}
