import FoundationEssentials
import Testing
@testable import KubeAPI

/// Samples written after `kubectl get -o json` output and the API reference.
enum Samples {
    static let pod = #"""
    {
      "apiVersion": "v1",
      "kind": "Pod",
      "metadata": {
        "creationTimestamp": "2026-11-24T16:35:14Z",
        "generateName": "web-7c5ddbdf54-",
        "labels": {"app": "web", "pod-template-hash": "7c5ddbdf54"},
        "name": "web-7c5ddbdf54-x2x8q",
        "namespace": "default",
        "ownerReferences": [{
          "apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
          "kind": "ReplicaSet", "name": "web-7c5ddbdf54", "uid": "4b4b7a1e-3c2f-4a8e-9a55-0a3c1f6b2d11"
        }],
        "resourceVersion": "4242",
        "uid": "b7c2e0f4-9d0e-4d1c-8f5a-2e6f3a1b9c77"
      },
      "spec": {
        "containers": [{
          "args": ["--port=8080"],
          "command": ["/server"],
          "env": [
            {"name": "MODE", "value": "prod"},
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}
          ],
          "image": "nginx:1.27",
          "imagePullPolicy": "IfNotPresent",
          "livenessProbe": {
            "failureThreshold": 3,
            "httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
            "initialDelaySeconds": 5, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 1
          },
          "name": "web",
          "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
          "readinessProbe": {
            "failureThreshold": 3, "periodSeconds": 10, "successThreshold": 1,
            "tcpSocket": {"port": 8080}, "timeoutSeconds": 1
          },
          "resources": {
            "limits": {"cpu": "500m", "memory": "256Mi"},
            "requests": {"cpu": "100m", "memory": "128Mi"}
          },
          "securityContext": {
            "allowPrivilegeEscalation": false,
            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
            "readOnlyRootFilesystem": true, "runAsGroup": 1000, "runAsUser": 1000
          },
          "startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "failureThreshold": 30, "periodSeconds": 1},
          "terminationMessagePath": "/dev/termination-log",
          "terminationMessagePolicy": "File",
          "volumeMounts": [
            {"mountPath": "/cache", "name": "cache"},
            {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access-abcde", "readOnly": true}
          ],
          "workingDir": "/srv"
        }],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": true,
        "imagePullSecrets": [{"name": "regcred"}],
        "initContainers": [{
          "command": ["sh", "-c", "true"], "image": "busybox", "imagePullPolicy": "Always", "name": "init",
          "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
        }],
        "nodeName": "node-1",
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "affinity": {"nodeAffinity": {
          "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
            "matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}],
            "matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["node-9"]}]
          }]},
          "preferredDuringSchedulingIgnoredDuringExecution": [{
            "preference": {"matchExpressions": [{"key": "disk", "operator": "Exists"}]}, "weight": 10
          }]
        }},
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccount": "default",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
          {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
          {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300}
        ],
        "volumes": [
          {"emptyDir": {"sizeLimit": "1Gi"}, "name": "cache"},
          {"hostPath": {"path": "/var/log", "type": "Directory"}, "name": "logs"},
          {"name": "cfg", "configMap": {"name": "web-config", "defaultMode": 420}},
          {"name": "tls", "secret": {"secretName": "web-tls", "defaultMode": 420}},
          {"name": "kube-api-access-abcde", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
            {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]}}
          ]}}
        ]
      },
      "status": {
        "conditions": [
          {"lastProbeTime": null, "lastTransitionTime": "2026-11-24T16:35:16Z", "status": "True", "type": "PodReadyToStartContainers"},
          {"lastProbeTime": null, "lastTransitionTime": "2026-11-24T16:35:15Z", "status": "True", "type": "Initialized"},
          {"lastProbeTime": null, "lastTransitionTime": "2026-11-24T16:35:20Z", "status": "True", "type": "Ready"},
          {"lastProbeTime": null, "lastTransitionTime": "2026-11-24T16:35:20Z", "status": "True", "type": "ContainersReady"},
          {"lastProbeTime": null, "lastTransitionTime": "2026-11-24T16:35:14Z", "status": "True", "type": "PodScheduled"}
        ],
        "containerStatuses": [{
          "containerID": "containerd://0f1e2d3c4b5a",
          "image": "docker.io/library/nginx:1.27",
          "imageID": "docker.io/library/nginx@sha256:0123456789abcdef",
          "lastState": {"terminated": {
            "containerID": "containerd://aa", "exitCode": 137, "finishedAt": "2026-11-24T16:35:17Z",
            "reason": "OOMKilled", "signal": 9, "startedAt": "2026-11-24T16:35:16Z", "message": "killed"
          }},
          "name": "web",
          "ready": true,
          "restartCount": 1,
          "started": true,
          "state": {"running": {"startedAt": "2026-11-24T16:35:18Z"}},
          "volumeMounts": [{"mountPath": "/cache", "name": "cache"}]
        }],
        "initContainerStatuses": [{
          "image": "docker.io/library/busybox:latest", "imageID": "", "name": "init", "ready": false,
          "restartCount": 0, "started": false, "state": {"waiting": {"reason": "PodInitializing", "message": "m"}}
        }],
        "hostIP": "10.0.0.11",
        "hostIPs": [{"ip": "10.0.0.11"}],
        "phase": "Running",
        "podIP": "10.244.1.7",
        "podIPs": [{"ip": "10.244.1.7"}],
        "qosClass": "Burstable",
        "startTime": "2026-11-24T16:35:14Z"
      }
    }
    """#

    static let deployment = #"""
    {
      "apiVersion": "apps/v1",
      "kind": "Deployment",
      "metadata": {
        "annotations": {"deployment.kubernetes.io/revision": "1"},
        "creationTimestamp": "2026-11-24T16:35:14Z",
        "generation": 1,
        "labels": {"app": "web"},
        "name": "web",
        "namespace": "default",
        "resourceVersion": "4300",
        "uid": "0d6a3c5e-1111-2222-3333-444455556666"
      },
      "spec": {
        "progressDeadlineSeconds": 600,
        "replicas": 3,
        "revisionHistoryLimit": 10,
        "minReadySeconds": 0,
        "paused": false,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}, "type": "RollingUpdate"},
        "template": {
          "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
          "spec": {
            "containers": [{
              "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent", "name": "nginx",
              "ports": [{"containerPort": 80, "protocol": "TCP"}], "resources": {},
              "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
            }],
            "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "securityContext": {}, "terminationGracePeriodSeconds": 30
          }
        }
      },
      "status": {
        "availableReplicas": 2,
        "conditions": [
          {"lastTransitionTime": "2026-11-24T16:35:20Z", "lastUpdateTime": "2026-11-24T16:35:20Z",
           "message": "Deployment has minimum availability.", "reason": "MinimumReplicasAvailable",
           "status": "True", "type": "Available"},
          {"lastTransitionTime": "2026-11-24T16:35:14Z", "lastUpdateTime": "2026-11-24T16:35:20Z",
           "message": "ReplicaSet \"web-7c5ddbdf54\" has successfully progressed.", "reason": "NewReplicaSetAvailable",
           "status": "True", "type": "Progressing"}
        ],
        "observedGeneration": 1,
        "readyReplicas": 2,
        "replicas": 3,
        "unavailableReplicas": 1,
        "updatedReplicas": 3
      }
    }
    """#

    static let service = #"""
    {
      "apiVersion": "v1",
      "kind": "Service",
      "metadata": {"creationTimestamp": "2026-11-24T16:35:14Z", "name": "web", "namespace": "default",
                   "resourceVersion": "4250", "uid": "5e5e5e5e-0000-1111-2222-333344445555"},
      "spec": {
        "clusterIP": "10.96.12.34",
        "clusterIPs": ["10.96.12.34"],
        "externalTrafficPolicy": "Cluster",
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "ports": [
          {"name": "http", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": "http"},
          {"name": "metrics", "nodePort": 30090, "port": 9090, "protocol": "TCP", "targetPort": 9090}
        ],
        "selector": {"app": "web"},
        "sessionAffinity": "None",
        "type": "NodePort"
      },
      "status": {"loadBalancer": {}}
    }
    """#

    static let node = #"""
    {
      "apiVersion": "v1",
      "kind": "Node",
      "metadata": {
        "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
        "creationTimestamp": "2026-11-20T08:00:00Z",
        "labels": {"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "node-1", "kubernetes.io/os": "linux"},
        "name": "node-1",
        "resourceVersion": "4400",
        "uid": "9a9a9a9a-1234-5678-9abc-def012345678"
      },
      "spec": {
        "podCIDR": "10.244.1.0/24",
        "podCIDRs": ["10.244.1.0/24"],
        "taints": [{"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure", "timeAdded": "2026-11-24T16:00:00Z"},
                   {"effect": "NoExecute", "key": "dedicated", "value": "gpu"}],
        "unschedulable": true
      },
      "status": {
        "addresses": [{"address": "10.0.0.11", "type": "InternalIP"}, {"address": "node-1", "type": "Hostname"}],
        "allocatable": {"cpu": "2", "ephemeral-storage": "56403987978", "hugepages-2Mi": "0", "memory": "8029332Ki", "pods": "110"},
        "capacity": {"cpu": "2", "ephemeral-storage": "61202244Ki", "hugepages-2Mi": "0", "memory": "8131732Ki", "pods": "110"},
        "conditions": [
          {"lastHeartbeatTime": "2026-11-24T16:35:00Z", "lastTransitionTime": "2026-11-20T08:00:00Z",
           "message": "kubelet has sufficient memory available", "reason": "KubeletHasSufficientMemory",
           "status": "False", "type": "MemoryPressure"},
          {"lastHeartbeatTime": "2026-11-24T16:35:00Z", "lastTransitionTime": "2026-11-20T08:00:10Z",
           "message": "kubelet is posting ready status", "reason": "KubeletReady", "status": "True", "type": "Ready"}
        ],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "images": [{"names": ["docker.io/library/nginx@sha256:0123", "docker.io/library/nginx:1.27"], "sizeBytes": 72099501}],
        "nodeInfo": {
          "architecture": "amd64", "bootID": "b00t", "containerRuntimeVersion": "swiftlet://0.1.0",
          "kernelVersion": "6.1.0-27-amd64", "kubeProxyVersion": "", "kubeletVersion": "v1.34.0",
          "machineID": "m4ch1ne", "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)",
          "systemUUID": "5y5"
        }
      }
    }
    """#

    static let endpointSlice = #"""
    {
      "addressType": "IPv4",
      "apiVersion": "discovery.k8s.io/v1",
      "endpoints": [
        {"addresses": ["10.244.1.7"], "conditions": {"ready": true, "serving": true, "terminating": false},
         "nodeName": "node-1", "targetRef": {"kind": "Pod", "name": "web-7c5ddbdf54-x2x8q", "namespace": "default",
         "uid": "b7c2e0f4-9d0e-4d1c-8f5a-2e6f3a1b9c77"}, "zone": "a"},
        {"addresses": ["10.244.2.9"], "conditions": {"ready": false, "serving": true, "terminating": true},
         "nodeName": "node-2"}
      ],
      "kind": "EndpointSlice",
      "metadata": {
        "creationTimestamp": "2026-11-24T16:35:15Z",
        "generateName": "web-",
        "generation": 3,
        "labels": {"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                   "kubernetes.io/service-name": "web"},
        "name": "web-abcde",
        "namespace": "default",
        "ownerReferences": [{"apiVersion": "v1", "blockOwnerDeletion": true, "controller": true, "kind": "Service",
                             "name": "web", "uid": "5e5e5e5e-0000-1111-2222-333344445555"}],
        "resourceVersion": "4260",
        "uid": "e5e5e5e5-0000-1111-2222-333344445555"
      },
      "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]
    }
    """#

    static let invalid = #"""
    {
      "kind": "Status",
      "apiVersion": "v1",
      "metadata": {},
      "status": "Failure",
      "message": "Pod \"bad\" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]",
      "reason": "Invalid",
      "details": {
        "name": "bad",
        "kind": "Pod",
        "causes": [
          {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers[0].name"},
          {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers[0].image"}
        ]
      },
      "code": 422
    }
    """#
}

@Suite struct RoundTripTests {
    @Test func pod() throws {
        let (pod, diff) = try roundTrip(Pod.self, Samples.pod)
        #expect(diff == [])
        #expect(pod.metadata.controllerRef?.kind == "ReplicaSet")
        #expect(pod.spec?.containers[0].resources?.requests?.cpu == "100m")
        #expect(pod.spec?.containers[0].livenessProbe?.httpGet?.port == .string("http"))
        #expect(pod.spec?.containers[0].readinessProbe?.tcpSocket?.port == .int(8080))
        #expect(pod.status?.isReady == true)
        #expect(pod.status?.containerStatuses?[0].lastState?.terminated?.exitCode == 137)
        #expect(pod.status?.startTime?.rfc3339 == "2026-11-24T16:35:14Z")
        #expect(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?
            .nodeSelectorTerms[0].matchFields?[0].values == ["node-9"])
        let f = pod.fieldSet
        #expect(f["spec.nodeName"] == "node-1")
        #expect(f["status.phase"] == "Running")
        #expect(f["status.podIP"] == "10.244.1.7")
        #expect(f["spec.serviceAccountName"] == "default")
        #expect(f["spec.restartPolicy"] == "Always")
        #expect(f["spec.schedulerName"] == "default-scheduler")
        #expect(f["metadata.namespace"] == "default")
        #expect(try FieldSelector.parse("spec.nodeName=node-1,status.phase!=Failed").matches(pod))
        #expect(try !FieldSelector.parse("spec.nodeName=").matches(pod))
        #expect(try Selector.parse("app=web,pod-template-hash").matches(pod.metadata.labels))
    }

    @Test func deployment() throws {
        let (d, diff) = try roundTrip(Deployment.self, Samples.deployment)
        #expect(diff == [])
        #expect(d.spec?.strategy?.rollingUpdate?.maxSurge == "25%")
        #expect(d.spec?.strategy?.rollingUpdate?.maxSurge?.scaledValue(total: 3, roundUp: true) == 1)
        #expect(d.spec?.strategy?.rollingUpdate?.maxUnavailable == 1)
        #expect(d.status?.condition("Available")?.reason == "MinimumReplicasAvailable")
        #expect(try Selector(d.spec?.selector).matches(d.spec?.template.metadata?.labels))
    }

    @Test func service() throws {
        let (s, diff) = try roundTrip(Service.self, Samples.service)
        #expect(diff == [])
        #expect(s.spec?.ports?[0].targetPort == .string("http"))
        #expect(s.spec?.ports?[1].targetPort == .int(9090))
        #expect(s.status?.loadBalancer == LoadBalancerStatus())
    }

    @Test func node() throws {
        let (n, diff) = try roundTrip(Node.self, Samples.node)
        #expect(diff == [])
        #expect(n.status?.capacity?.memory?.value == Int64(8_326_893_568))
        #expect(n.status?.allocatable?.cpu?.milliValue == 2000)
        #expect(n.status?.isReady == true)
        #expect(n.status?.daemonEndpoints?.kubeletEndpoint?.Port == 10250)
        #expect(n.fieldSet == ["metadata.name": "node-1", "spec.unschedulable": "true"])
        let t = n.spec!.taints!
        #expect(Toleration(key: "dedicated", operator: "Equal", value: "gpu", effect: "NoExecute").tolerates(t[1]))
        #expect(!Toleration(key: "dedicated", value: "cpu").tolerates(t[1]))
        #expect(Toleration(operator: "Exists").tolerates(t[0]))
        #expect(!Toleration(key: "dedicated", operator: "Exists", effect: "NoSchedule").tolerates(t[1]))
    }

    @Test func endpointSlice() throws {
        let (s, diff) = try roundTrip(EndpointSlice.self, Samples.endpointSlice)
        #expect(diff == [])
        #expect(s.endpoints?[1].conditions?.terminating == true)
        #expect(s.metadata.labels?[EndpointSlice.serviceNameLabel] == "web")
    }

    @Test func status422() throws {
        let (s, diff) = try roundTrip(Status.self, Samples.invalid)
        #expect(diff == [])
        let built = Status.invalid(kind: "Pod", name: "bad", [
            .required("spec.containers[0].name"), .required("spec.containers[0].image"),
        ])
        #expect(built == s)
        let out = try JSONValue.parse(JSONEncoder().encode(built))
        #expect(out.differences(try JSONValue.parse(Samples.invalid)) == [])
    }

    @Test func listAndWatch() throws {
        let json = #"{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"99","continue":"abc","remainingItemCount":5},"items":[{"metadata":{"name":"a"}}]}"#
        let (l, diff) = try roundTrip(List<Pod>.self, json)
        #expect(diff == [])
        #expect(l.items[0].metadata.name == "a")
        #expect(l.metadata.continue == "abc")
        #expect(List<Deployment>(items: []).kind == "DeploymentList")
        #expect(List<Deployment>(items: []).apiVersion == "apps/v1")
        let empty = try JSONDecoder().decode(List<Pod>.self, from: Data(#"{"kind":"PodList","metadata":{},"items":null}"#.utf8))
        #expect(empty.items.isEmpty)

        let ev = #"{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","resourceVersion":"7"}}}"#
        let (w, wdiff) = try roundTrip(WatchEvent<Pod>.self, ev)
        #expect(wdiff == [])
        #expect(w.type == .modified)
        let err = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (4242)","reason":"Expired","code":410}}"#
        let (we, ediff) = try roundTrip(WatchEvent<Status>.self, err)
        #expect(ediff == [])
        #expect(we.object == Status.expired("too old resource version: 1 (4242)"))
        let bm = #"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12","annotations":{"k8s.io/initial-events-end":"true"}}}}"#
        #expect(try roundTrip(WatchEvent<Pod>.self, bm).1 == [])
    }

    @Test func smallerKinds() throws {
        let samples: [(any Codable.Type, String)] = [
            (ConfigMap.self, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"d"},"data":{"a":"1"},"binaryData":{"b":"AAE="},"immutable":true}"#),
            (Secret.self, #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"type":"Opaque","data":{"password":"aHVudGVyMg=="}}"#),
            (Namespace.self, #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"dev","labels":{"kubernetes.io/metadata.name":"dev"}},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}"#),
            (ServiceAccount.self, #"{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default","namespace":"dev"},"imagePullSecrets":[{"name":"r"}]}"#),
            (Endpoints.self, #"{"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"10.244.1.7","nodeName":"node-1","targetRef":{"kind":"Pod","name":"p","namespace":"default","uid":"u"}}],"notReadyAddresses":[{"ip":"10.244.2.9"}],"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}]}"#),
            (Event.self, #"{"apiVersion":"v1","kind":"Event","metadata":{"name":"web.17f","namespace":"default"},"involvedObject":{"apiVersion":"v1","kind":"Pod","name":"web","namespace":"default","uid":"u","fieldPath":"spec.containers{web}"},"reason":"Pulled","message":"Successfully pulled image","source":{"component":"kubelet","host":"node-1"},"firstTimestamp":"2026-11-24T16:35:15Z","lastTimestamp":"2026-11-24T16:35:15Z","count":1,"type":"Normal","eventTime":null,"reportingComponent":"kubelet","reportingInstance":"node-1"}"#),
            (Lease.self, #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"node-1","namespace":"kube-node-lease","ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"node-1","uid":"n"}]},"spec":{"holderIdentity":"node-1","leaseDurationSeconds":40,"renewTime":"2026-11-24T16:35:14.123456Z","acquireTime":"2026-11-24T16:00:00.000000Z","leaseTransitions":2}}"#),
            (Binding.self, #"{"apiVersion":"v1","kind":"Binding","metadata":{"name":"p","namespace":"default","uid":"u"},"target":{"apiVersion":"v1","kind":"Node","name":"node-1"}}"#),
            (ReplicaSet.self, #"{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web-7c5ddbdf54","namespace":"default"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["fe"]}]},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"i"}]}}},"status":{"replicas":3,"fullyLabeledReplicas":3,"readyReplicas":2,"availableReplicas":2,"observedGeneration":1}}"#),
        ]
        for (type, json) in samples {
            func check<T: Codable>(_ t: T.Type) throws -> [String] { try roundTrip(t, json).1 }
            #expect(try check(type) == [], "\(type)")
        }
        let s = try JSONDecoder().decode(Secret.self, from: Data(samples[1].1.utf8))
        #expect(s.bytes("password") == Array("hunter2".utf8))
        let b = Binding(pod: s.metadata, nodeName: "n1")
        #expect(b.target.kind == "Node" && b.target.name == "n1")
    }

    @Test func unknownFieldsIgnored() throws {
        let json = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","managedFields":[{"manager":"kubectl"}],"futureField":1},"spec":{"containers":[{"name":"c","newThing":{"x":1}}],"ephemeralContainers":[]}}"#
        let pod = try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        #expect(pod.metadata.name == "a")
        #expect(pod.spec?.containers[0].name == "c")
    }

    @Test func encodingOmitsNils() throws {
        var p = Pod(metadata: ObjectMeta(name: "a", namespace: "b"), spec: PodSpec(containers: [Container(name: "c", image: "i")]))
        p.metadata.creationTimestamp = Time(seconds: 1_795_970_114)
        let out = try JSONValue.parse(JSONEncoder().encode(p))
        let expected = try JSONValue.parse(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"b","creationTimestamp":"2026-11-29T16:35:14Z"},"spec":{"containers":[{"name":"c","image":"i"}]}}"#)
        #expect(out.differences(expected) == [])
    }

    @Test func statusHelpers() {
        let pods = GroupResource(resource: "pods")
        let deps = GroupResource(group: "apps", resource: "deployments")
        #expect(Status.notFound(pods, name: "a").message == "pods \"a\" not found")
        #expect(Status.notFound(deps, name: "a").message == "deployments.apps \"a\" not found")
        #expect(Status.notFound(deps, name: "a").details == StatusDetails(name: "a", group: "apps", kind: "deployments"))
        #expect(Status.notFound(pods, name: "a").code == 404)
        #expect(Status.alreadyExists(pods, name: "a").message == "pods \"a\" already exists")
        #expect(Status.alreadyExists(pods, name: "a").code == 409)
        let c = Status.conflict(pods, name: "a", "the object has been modified; please apply your changes to the latest version and try again")
        #expect(c.message == "Operation cannot be fulfilled on pods \"a\": the object has been modified; please apply your changes to the latest version and try again")
        #expect(c.reason == "Conflict")
        let inv = Status.invalid(kind: "Deployment", group: "apps", name: "d", [.invalid("spec.replicas", "-1", "must be greater than or equal to 0")])
        #expect(inv.message == "Deployment.apps \"d\" is invalid: spec.replicas: Invalid value: \"-1\": must be greater than or equal to 0")
        #expect(inv.details?.causes?[0].message == "Invalid value: \"-1\": must be greater than or equal to 0")
        #expect(Status.badRequest("x").code == 400)
        #expect(Status.unauthorized().message == "not authorized")
        #expect(Status.unauthorized().code == 401)
        #expect(Status.forbidden(pods, name: "a", "User \"u\" cannot get resource \"pods\"").message
            == "pods \"a\" is forbidden: User \"u\" cannot get resource \"pods\"")
        #expect(Status.forbidden(nil, "x").message == "forbidden: x")
        #expect(Status.forbidden(pods, "x").code == 403)
        #expect(Status.gone("gone").code == 410)
        #expect(Status.methodNotAllowed(pods, action: "PATCH").message == "PATCH is not supported on resources of kind \"pods\"")
        #expect(Status.methodNotAllowed(pods, action: "PATCH").code == 405)
        #expect(Status.unsupportedMediaType(accepted: ["application/json"]).code == 415)
        #expect(Status.unsupportedMediaType(accepted: ["application/json", "application/yaml"]).message
            == "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
        #expect(Status.requestEntityTooLarge("limit is 3145728").message == "Request entity too large: limit is 3145728")
        #expect(Status.requestEntityTooLarge("x").code == 413)
        #expect(Status.tooManyRequests("slow down", retryAfterSeconds: 1).details?.retryAfterSeconds == 1)
        #expect(FieldError.notSupported("spec.restartPolicy", "Sometimes", ["Always", "Never"]).description
            == "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\"")
    }

    @Test func base64() {
        for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            let e = Base64.encode(Array(s.utf8))
            #expect(Base64.decode(e) == Array(s.utf8))
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm8") == nil)
        #expect(Base64.decode("Zm8*") == nil)
        var s = Secret()
        s.stringData = ["k": "v"]
        s.mergeStringData()
        #expect(s.data == ["k": "dg=="])
    }
}

@Suite struct LenientDecodingTests {
    @Test func missingRequiredFieldsDecodeAsEmpty() throws {
        let pod = try JSONDecoder().decode(Pod.self, from: Data(#"{"metadata":{"name":"a"},"spec":{}}"#.utf8))
        #expect(pod.spec?.containers == [])
        let c = try JSONDecoder().decode(Container.self, from: Data(#"{"image":"x"}"#.utf8))
        #expect(c.name == "")
        let n = try JSONDecoder().decode(PodSpec.self, from: Data(#"{"containers":null}"#.utf8))
        #expect(n.containers.isEmpty)
        var spec = PodSpec(containers: [Container(name: "a")])
        spec.containers.append(Container(name: "b"))
        #expect(spec.containers.map(\.name) == ["a", "b"])
        let out = try JSONValue.parse(JSONEncoder().encode(PodSpec()))
        #expect(out == .object(["containers": .array([])]))
    }

    @Test func watchStream() throws {
        let err = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"gone","reason":"Expired","code":410}}"#
        #expect(try WatchStreamEvent<Pod>.decode(Array(err.utf8)) == .error(Status.expired("gone")))
        let add = #"{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"}}}"#
        guard case .event(let e) = try WatchStreamEvent<Pod>.decode(Array(add.utf8)) else {
            Issue.record("expected an event")
            return
        }
        #expect(e.type == .added && e.object.metadata.name == "p")
    }

    @Test func fieldLabelValidation() throws {
        let pod = Pod(metadata: ObjectMeta(name: "a"))
        try FieldSelector.parse("spec.nodeName=n,status.phase=Running").validate(supported: pod.fieldSet.keys)
        #expect(throws: SelectorError("field label not supported: spec.foo")) {
            try FieldSelector.parse("spec.foo=x").validate(supported: pod.fieldSet.keys)
        }
    }
}
