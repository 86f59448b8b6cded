import Testing
@testable import KubeAPI

/// Strategic merge patches on real kinds through the served table, the way kubectl and our
/// controllers send them.
@Suite struct PatchStrategiesTests {
    func patch(_ kind: String, group: String = "", _ live: String, _ patch: String) throws -> JV {
        let schema = try #require(PatchStrategies.schema(group: group, kind: kind))
        return try StrategicMergePatch.apply(patch: try json(patch), to: try json(live), schema: schema)
    }

    @Test func everyServedKindHasASchema() {
        for r in APIResourceCatalog.resources {
            #expect(PatchStrategies.schema(group: r.group, kind: r.kind) != nil, "\(r.kind)")
        }
    }

    @Test func tableMatchesKubernetesTags() {
        let entries = Set(PatchStrategies.entries.map { "\($0.kind) \($0.path) \($0.strategy) \($0.mergeKey ?? "-")" })
        let expected = [
            "Pod metadata.finalizers merge -",
            "Pod metadata.ownerReferences merge uid",
            "Pod spec.containers merge name",
            "Pod spec.containers[].env merge name",
            "Pod spec.containers[].ports merge containerPort",
            "Pod spec.containers[].volumeMounts merge mountPath",
            "Pod spec.containers[].volumeDevices merge devicePath",
            "Pod spec.initContainers[].env merge name",
            "Pod spec.ephemeralContainers merge name",
            "Pod spec.volumes merge,retainKeys name",
            "Pod spec.imagePullSecrets merge name",
            "Pod spec.hostAliases merge ip",
            "Pod spec.topologySpreadConstraints merge topologyKey",
            "Pod status.conditions merge type",
            "Pod status.podIPs merge ip",
            "Pod status.containerStatuses[].volumeMounts merge mountPath",
            "Deployment spec.strategy retainKeys -",
            "Deployment spec.template.spec.containers[].env merge name",
            "Deployment spec.template.metadata.finalizers merge -",
            "Deployment status.conditions merge type",
            "ReplicaSet spec.template.spec.volumes merge,retainKeys name",
            "ReplicaSet status.conditions merge type",
            "Service spec.ports merge port",
            "Node spec.podCIDRs merge -",
            "Node status.conditions merge type",
            "Node status.addresses merge type",
            "Namespace status.conditions merge type",
            "ServiceAccount secrets merge name",
            "ConfigMap metadata.ownerReferences merge uid",
            "Lease metadata.finalizers merge -",
        ]
        for e in expected { #expect(entries.contains(e), "\(e)") }
        // Atomic lists have no entry.
        for atomic in ["Pod spec.tolerations", "Pod status.containerStatuses", "Node spec.taints", "Node status.images"] {
            #expect(!entries.contains { $0.hasPrefix(atomic + " ") }, "\(atomic)")
        }
    }

    @Test func definitionEntriesAreOnePerTypeAndField() {
        let defs = PatchStrategies.definitionEntries
        #expect(Set(defs.map { "\($0.definition).\($0.field)" }).count == defs.count)
        let env = defs.first { $0.definition == "io.k8s.api.core.v1.Container" && $0.field == "env" }
        #expect(env?.strategy.description == "merge" && env?.mergeKey == "name")
        let strategy = defs.first { $0.definition == "io.k8s.api.apps.v1.DeploymentSpec" && $0.field == "strategy" }
        #expect(strategy?.strategy.description == "retainKeys" && strategy?.mergeKey == nil)
        let volumes = defs.first { $0.definition == "io.k8s.api.core.v1.PodSpec" && $0.field == "volumes" }
        #expect(volumes?.strategy.description == "merge,retainKeys")
    }

    static let livePod = """
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"web","namespace":"default","labels":{"app":"web"},"finalizers":["a/x"],
                     "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"u1"}]},
         "spec":{"containers":[{"name":"app","image":"nginx:1.25",
                                "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
                                "ports":[{"containerPort":80,"protocol":"TCP"}],
                                "volumeMounts":[{"name":"data","mountPath":"/data"}]},
                               {"name":"side","image":"busybox"}],
                 "volumes":[{"name":"data","emptyDir":{}}],
                 "tolerations":[{"key":"k1","operator":"Exists"}]},
         "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"}],
                   "containerStatuses":[{"name":"app","ready":true},{"name":"side","ready":true}]}}
        """

    @Test func containerEnvMergesByNameInsideContainersByName() throws {
        let out = try patch("Pod", Self.livePod,
            #"{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}]}]}}"#)
        let app = try #require(out.value(at: ["spec", "containers"])?.arrayValue?.first { $0["name"] == .string("app") })
        #expect(app["env"] == (try json(#"[{"name":"A","value":"1"},{"name":"B","value":"3"},{"name":"C","value":"4"}]"#)))
        #expect(app["image"] == .string("nginx:1.25"))
        #expect(out.value(at: ["spec", "containers"])?.arrayValue?.count == 2)
    }

    @Test func removeAContainerAndAPort() throws {
        let out = try patch("Pod", Self.livePod, """
            {"spec":{"containers":[{"name":"side","$patch":"delete"},
                                   {"name":"app","ports":[{"containerPort":80,"$patch":"delete"},{"containerPort":8080}]}]}}
            """)
        #expect(out.value(at: ["spec", "containers"]) == (try json("""
            [{"name":"app","image":"nginx:1.25","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
              "ports":[{"containerPort":8080}],"volumeMounts":[{"name":"data","mountPath":"/data"}]}]
            """)))
    }

    @Test func tolerationsAreReplacedWhole() throws {
        let out = try patch("Pod", Self.livePod, #"{"spec":{"tolerations":[{"key":"k2","operator":"Exists"}]}}"#)
        #expect(out.value(at: ["spec", "tolerations"]) == (try json(#"[{"key":"k2","operator":"Exists"}]"#)))
    }

    @Test func volumeSourceSwitchesWithRetainKeys() throws {
        let out = try patch("Pod", Self.livePod, """
            {"spec":{"$setElementOrder/volumes":[{"name":"data"}],
                     "volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cm"},"name":"data"}]}}
            """)
        #expect(out.value(at: ["spec", "volumes"]) == (try json(#"[{"name":"data","configMap":{"name":"cm"}}]"#)))
    }

    @Test func finalizersAndOwnerReferencesMerge() throws {
        let out = try patch("Pod", Self.livePod, """
            {"metadata":{"finalizers":["b/y"],"$deleteFromPrimitiveList/finalizers":["a/x"],
                         "ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"n","uid":"u2"}]}}
            """)
        #expect(out.value(at: ["metadata", "finalizers"]) == (try json(#"["b/y"]"#)))
        #expect(out.value(at: ["metadata", "ownerReferences"])?.arrayValue?.compactMap { $0["uid"] }
                == [.string("u2"), .string("u1")])
        let cleared = try patch("Pod", Self.livePod, #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a/x"]}}"#)
        #expect(cleared.value(at: ["metadata", "finalizers"]) == .array([]))
    }

    @Test func kubeletStyleStatusPatch() throws {
        // What kubelet's status manager sends: conditions by type with their order, statuses replaced.
        let out = try patch("Pod", Self.livePod, """
            {"status":{"$setElementOrder/conditions":[{"type":"Initialized"},{"type":"Ready"},{"type":"PodScheduled"}],
                       "conditions":[{"type":"Ready","status":"False","reason":"ContainersNotReady"},
                                     {"type":"PodScheduled","status":"True"}],
                       "containerStatuses":[{"name":"app","ready":false}]}}
            """)
        #expect(out.value(at: ["status", "conditions"]) == (try json("""
            [{"type":"Initialized","status":"True"},{"type":"Ready","status":"False","reason":"ContainersNotReady"},
             {"type":"PodScheduled","status":"True"}]
            """)))
        #expect(out.value(at: ["status", "containerStatuses"]) == (try json(#"[{"name":"app","ready":false}]"#)))
        #expect(out.value(at: ["status", "phase"]) == .string("Running"))
    }

    static let liveDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"default","labels":{"app":"web","tier":"front"},
                     "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{old}","team-b/owner":"b"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                 "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
                 "template":{"metadata":{"labels":{"app":"web"}},
                             "spec":{"containers":[{"name":"app","image":"nginx:1.25",
                                                    "env":[{"name":"A","value":"1"},{"name":"INJECTED","value":"x"}],
                                                    "ports":[{"containerPort":80,"protocol":"TCP"}]},
                                                   {"name":"proxy","image":"envoy"}]}}},
         "status":{"replicas":2,"conditions":[{"type":"Available","status":"True"}]}}
        """

    /// kubectl apply of an edited manifest (image bumped, env A changed, env B added, label tier and
    /// the ports removed): the three-way patch kubectl computes from last-applied, the live object and
    /// the manifest. What another client added (an annotation, an env var, a sidecar) must survive.
    @Test func kubectlApplyRoundTripKeepsOtherClientsFields() throws {
        let out = try patch("Deployment", group: "apps", Self.liveDeployment, """
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{new}"},
                         "labels":{"tier":null}},
             "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],
                     "containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],
                                    "env":[{"name":"A","value":"2"},{"name":"B","value":"b"}],
                                    "image":"nginx:1.26","name":"app","ports":null}]}}}}
            """)
        #expect(out.value(at: ["metadata", "annotations"]) == (try json(
            #"{"kubectl.kubernetes.io/last-applied-configuration":"{new}","team-b/owner":"b"}"#)))
        #expect(out.value(at: ["metadata", "labels"]) == (try json(#"{"app":"web"}"#)))
        #expect(out.value(at: ["spec", "template", "spec", "containers"]) == (try json("""
            [{"name":"app","image":"nginx:1.26",
              "env":[{"name":"A","value":"2"},{"name":"B","value":"b"},{"name":"INJECTED","value":"x"}]},
             {"name":"proxy","image":"envoy"}]
            """)))
        #expect(out.value(at: ["spec", "strategy", "rollingUpdate", "maxSurge"]) == .string("25%"))
        #expect(out["status"] == (try json(Self.liveDeployment))["status"])
    }

    @Test func deploymentStrategySwitchClearsRollingUpdate() throws {
        let out = try patch("Deployment", group: "apps", Self.liveDeployment,
                            #"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#)
        #expect(out.value(at: ["spec", "strategy"]) == (try json(#"{"type":"Recreate"}"#)))
    }

    @Test func nodeAddressesByTypeAndPodCIDRsAsASet() throws {
        let live = """
            {"spec":{"podCIDRs":["10.0.0.0/24"],"taints":[{"key":"a","effect":"NoSchedule"}]},
             "status":{"addresses":[{"type":"InternalIP","address":"10.1.1.1"},{"type":"Hostname","address":"n1"}],
                       "images":[{"names":["a"]}]}}
            """
        let out = try patch("Node", live, """
            {"spec":{"podCIDRs":["fd00::/64"],"taints":[]},
             "status":{"addresses":[{"type":"InternalIP","address":"10.1.1.2"}],"images":[{"names":["b"]}]}}
            """)
        // a new element goes first, as Go orders it
        #expect(out.value(at: ["spec", "podCIDRs"]) == (try json(#"["fd00::/64","10.0.0.0/24"]"#)))
        #expect(out.value(at: ["spec", "taints"]) == .array([]))
        #expect(out.value(at: ["status", "addresses"]) == (try json(
            #"[{"type":"InternalIP","address":"10.1.1.2"},{"type":"Hostname","address":"n1"}]"#)))
        #expect(out.value(at: ["status", "images"]) == (try json(#"[{"names":["b"]}]"#)))
    }

    @Test func servicePortsMergeByPort() throws {
        let out = try patch("Service", #"{"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}}"#,
                            #"{"spec":{"ports":[{"port":80,"targetPort":9090}]}}"#)
        #expect(out.value(at: ["spec", "ports"]) == (try json(#"[{"port":80,"targetPort":9090},{"port":443}]"#)))
    }

    @Test func configMapDataIsAMap() throws {
        let out = try patch("ConfigMap", #"{"data":{"a":"1","b":"2"}}"#, #"{"data":{"b":null,"c":"3"}}"#)
        #expect(out["data"] == (try json(#"{"a":"1","c":"3"}"#)))
    }

    @Test func largeListsMergeInLinearishTime() throws {
        let n = 5_000
        let live = JV.object(["spec": .object(["containers": .array((0..<n).map {
            .object(["name": .string("c\($0)"), "image": .string("i")])
        })])])
        let p = JV.object(["spec": .object(["containers": .array((0..<n).reversed().map {
            .object(["name": .string("c\($0)"), "image": .string("j")])
        })])])
        let schema = try #require(PatchStrategies.schema(group: "", kind: "Pod"))
        let clock = ContinuousClock()
        var out = JV.null
        let elapsed = try clock.measure {
            out = try StrategicMergePatch.apply(patch: p, to: live, schema: schema)
        }
        let containers = try #require(out.value(at: ["spec", "containers"])?.arrayValue)
        #expect(containers.count == n)
        #expect(containers.first?["name"] == .string("c\(n - 1)"))
        #expect(containers.allSatisfy { $0["image"] == .string("j") })
        #expect(elapsed < .seconds(2), "\(elapsed)")
    }

    /// A kubectl apply patch on a Deployment: microseconds, even in a debug build well under a millisecond.
    @Test func typicalApplyPatchCost() throws {
        let schema = try #require(PatchStrategies.schema(group: "apps", kind: "Deployment"))
        let live = try json(Self.liveDeployment)
        let p = try json("""
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{new}"}},
             "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],
                     "containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],
                                    "env":[{"name":"A","value":"2"},{"name":"B","value":"b"}],"name":"app"}]}}}}
            """)
        let rounds = 2_000
        let elapsed = try ContinuousClock().measure {
            for _ in 0..<rounds { _ = try StrategicMergePatch.apply(patch: p, to: live, schema: schema) }
        }
        let perPatch = elapsed / rounds
        print("strategic merge patch of a Deployment: \(perPatch) per patch")
        #expect(perPatch < .milliseconds(1))
    }
}
