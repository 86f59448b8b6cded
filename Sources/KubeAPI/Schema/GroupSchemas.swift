/// apps/v1, coordination.k8s.io/v1, discovery.k8s.io/v1, autoscaling/v1 and policy/v1 definitions.
extension SchemaBuilder {
    static let a = "io.k8s.api.apps.v1."
    static let d = "io.k8s.api.discovery.v1."

    static let groupDefinitions: [SchemaDefinition] = [
        kind("apps", "v1", "Deployment", "Declarative updates for pods: keeps replica sets of a pod template rolled out.", [
            F("spec", apps("DeploymentSpec"), "The desired state of the deployment."),
            F("status", apps("DeploymentStatus"), "The most recently observed state of the deployment (read-only)."),
        ]),
        object(a + "DeploymentSpec", "The desired state of a deployment.", required: ["selector", "template"], [
            F("replicas", .int32, "How many pods to run. Default 1."),
            F("selector", meta("LabelSelector"), "The pods the deployment owns; must match the template's labels."),
            F("template", core("PodTemplateSpec"), "The pods to make."),
            F("strategy", apps("DeploymentStrategy"), "How old pods are replaced by new ones."),
            F("minReadySeconds", .int32, "Seconds a new pod must be ready to count as available."),
            F("revisionHistoryLimit", .int32, "Old replica sets kept for rollback. Default 10."),
            F("paused", .boolean, "Stop rolling out template changes."),
            F("progressDeadlineSeconds", .int32, "Seconds before a stalled rollout is reported failed. Default 600."),
        ]),
        object(a + "DeploymentStrategy", "How a deployment replaces pods.", [
            F("type", .string, "RollingUpdate (default) or Recreate."),
            F("rollingUpdate", apps("RollingUpdateDeployment"), "Rolling update parameters."),
        ]),
        object(a + "RollingUpdateDeployment", "Rolling update parameters.", [
            F("maxUnavailable", intOrString, "Pods that may be unavailable during the update (count or percentage). Default 25%."),
            F("maxSurge", intOrString, "Pods that may exist above replicas during the update (count or percentage). Default 25%."),
        ]),
        object(a + "DeploymentStatus", "The observed state of a deployment.", [
            F("observedGeneration", .int64, "The generation the controller last acted on."),
            F("replicas", .int32, "Pods targeted by the deployment."),
            F("updatedReplicas", .int32, "Pods running the current template."),
            F("readyReplicas", .int32, "Ready pods."),
            F("availableReplicas", .int32, "Pods ready for at least minReadySeconds."),
            F("unavailableReplicas", .int32, "Pods still missing to reach replicas."),
            F("terminatingReplicas", .int32, "Pods being deleted."),
            F("conditions", .array(apps("DeploymentCondition")), "The deployment's current conditions."),
            F("collisionCount", .int32, "Counts hash collisions of template names."),
        ]),
        object(a + "DeploymentCondition", "One aspect of a deployment's state.", required: ["type", "status"], [
            F("type", .string, "Available, Progressing or ReplicaFailure."),
            F("status", .string, "True, False or Unknown."),
            F("lastUpdateTime", time, "When the condition was last updated."),
            F("lastTransitionTime", time, "When the condition last changed status."),
            F("reason", .string, "A CamelCase reason."), F("message", .string, "A human-readable message."),
        ]),
        kind("apps", "v1", "ReplicaSet", "Keeps a number of identical pods running.", [
            F("spec", apps("ReplicaSetSpec"), "The desired state of the replica set."),
            F("status", apps("ReplicaSetStatus"), "The most recently observed state of the replica set (read-only)."),
        ]),
        object(a + "ReplicaSetSpec", "The desired state of a replica set.", required: ["selector"], [
            F("replicas", .int32, "How many pods to run. Default 1."),
            F("minReadySeconds", .int32, "Seconds a new pod must be ready to count as available."),
            F("selector", meta("LabelSelector"), "The pods the replica set owns."),
            F("template", core("PodTemplateSpec"), "The pods to make."),
        ]),
        object(a + "ReplicaSetStatus", "The observed state of a replica set.", required: ["replicas"], [
            F("replicas", .int32, "Pods the replica set has."),
            F("fullyLabeledReplicas", .int32, "Pods whose labels match the template's."),
            F("readyReplicas", .int32, "Ready pods."),
            F("availableReplicas", .int32, "Pods ready for at least minReadySeconds."),
            F("terminatingReplicas", .int32, "Pods being deleted."),
            F("observedGeneration", .int64, "The generation the controller last acted on."),
            F("conditions", .array(apps("ReplicaSetCondition")), "The replica set's current conditions."),
        ]),
        object(a + "ReplicaSetCondition", "One aspect of a replica set's state.", required: ["type", "status"], [
            F("type", .string, "The condition type."), F("status", .string, "True, False or Unknown."),
            F("lastTransitionTime", time, "When it last changed."), F("reason", .string, "A CamelCase reason."),
            F("message", .string, "A human-readable message."),
        ]),
        kind("coordination.k8s.io", "v1", "Lease", "A lease: node heartbeats and leader election.", [
            F("spec", .ref("io.k8s.api.coordination.v1.LeaseSpec"), "The lease's holder and timing."),
        ]),
        object("io.k8s.api.coordination.v1.LeaseSpec", "A lease's holder and timing.", [
            F("holderIdentity", .string, "Who holds the lease."),
            F("leaseDurationSeconds", .int32, "How long the holder's claim lasts after a renewal."),
            F("acquireTime", microTime, "When the current holder acquired the lease."),
            F("renewTime", microTime, "When the holder last renewed the lease."),
            F("leaseTransitions", .int32, "How many times the lease changed holders."),
            F("strategy", .string, "How a coordinated leader election picks the holder."),
            F("preferredHolder", .string, "The holder the strategy prefers."),
        ]),
        kind("discovery.k8s.io", "v1", "EndpointSlice", "A subset of the endpoints of a service.", required: ["addressType", "endpoints"], [
            F("addressType", .string, "IPv4, IPv6 or FQDN."),
            F("endpoints", .array(discovery("Endpoint")), "The endpoints, up to 1000."),
            F("ports", .array(discovery("EndpointPort")), "The ports every endpoint exposes."),
        ]),
        object(d + "Endpoint", "One endpoint of a slice.", required: ["addresses"], [
            F("addresses", strings, "The endpoint's addresses (usually one)."),
            F("conditions", discovery("EndpointConditions"), "Whether the endpoint is ready, serving, terminating."),
            F("hostname", .string, "The endpoint's hostname."),
            F("targetRef", core("ObjectReference"), "The object (pod) behind the endpoint."),
            F("deprecatedTopology", stringMap, "Deprecated topology labels."),
            F("nodeName", .string, "The node the endpoint is on."),
            F("zone", .string, "The zone the endpoint is in."),
            F("hints", discovery("EndpointHints"), "Routing hints."),
        ]),
        object(d + "EndpointConditions", "An endpoint's state.", [
            F("ready", .boolean, "Ready to receive traffic."), F("serving", .boolean, "Serving, even if terminating."),
            F("terminating", .boolean, "Being shut down."),
        ]),
        object(d + "EndpointHints", "Routing hints of an endpoint.", [
            F("forZones", .array(discovery("ForZone")), "Zones that should use the endpoint."),
        ]),
        object(d + "ForZone", "A zone.", required: ["name"], [F("name", .string, "The zone's name.")]),
        object(d + "EndpointPort", "A port of a slice's endpoints.", [
            F("name", .string, "The port's name, matching the service port's."),
            F("protocol", .string, "TCP (default), UDP or SCTP."),
            F("port", .int32, "The port number."), F("appProtocol", .string, "The application protocol."),
        ]),
        kind("autoscaling", "v1", "Scale", "The scale subresource: a workload's replica count.", [
            F("spec", .ref("io.k8s.api.autoscaling.v1.ScaleSpec"), "The desired scale."),
            F("status", .ref("io.k8s.api.autoscaling.v1.ScaleStatus"), "The current scale (read-only)."),
        ]),
        object("io.k8s.api.autoscaling.v1.ScaleSpec", "The desired scale.", [
            F("replicas", .int32, "The desired number of replicas."),
        ]),
        object("io.k8s.api.autoscaling.v1.ScaleStatus", "The current scale.", required: ["replicas"], [
            F("replicas", .int32, "The observed number of replicas."),
            F("selector", .string, "The label query over the scaled pods, as a string."),
        ]),
        kind("policy", "v1", "Eviction", "A request to evict a pod, honouring disruption budgets (pods/eviction).", [
            F("deleteOptions", meta("DeleteOptions"), "Options for deleting the pod."),
        ]),
    ]
}
