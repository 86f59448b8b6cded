/// core/v1 definitions of volumes and scheduling constraints.
extension SchemaBuilder {
    static let volumeAndSchedulingDefinitions: [SchemaDefinition] = [
        object(p + "Volume", "A named volume the pod's containers can mount: a name and one source.", required: ["name"], [
            F("name", .string, "The volume's name, unique within the pod."),
            F("emptyDir", core("EmptyDirVolumeSource"), "A directory that lives as long as the pod."),
            F("configMap", core("ConfigMapVolumeSource"), "A config map's keys as files."),
            F("secret", core("SecretVolumeSource"), "A secret's keys as files."),
            F("hostPath", core("HostPathVolumeSource"), "A file or directory of the node."),
            F("persistentVolumeClaim", core("PersistentVolumeClaimVolumeSource"), "A persistent volume claim."),
            F("downwardAPI", core("DownwardAPIVolumeSource"), "Pod fields as files."),
            F("projected", core("ProjectedVolumeSource"), "Several sources in one directory."),
        ]),
        object(p + "EmptyDirVolumeSource", "An empty directory for the pod's lifetime.", [
            F("medium", .string, "\"\" for the node's disk, Memory for tmpfs."),
            F("sizeLimit", quantity, "The most storage the directory may use."),
        ]),
        object(p + "KeyToPath", "A key projected to a file path.", required: ["key", "path"], [
            F("key", .string, "The key."), F("path", .string, "The relative file path."),
            F("mode", .int32, "The file's permission bits."),
        ]),
        object(p + "ConfigMapVolumeSource", "A config map as a volume.", [
            F("name", .string, "The config map's name."),
            F("items", .array(core("KeyToPath")), "The keys to project; all when empty."),
            F("defaultMode", .int32, "Permission bits of the files. Default 0644."),
            F("optional", .boolean, "Whether the config map may be missing."),
        ]),
        object(p + "SecretVolumeSource", "A secret as a volume.", [
            F("secretName", .string, "The secret's name."),
            F("items", .array(core("KeyToPath")), "The keys to project; all when empty."),
            F("defaultMode", .int32, "Permission bits of the files. Default 0644."),
            F("optional", .boolean, "Whether the secret may be missing."),
        ]),
        object(p + "HostPathVolumeSource", "A path on the node.", required: ["path"], [
            F("path", .string, "The path on the node."),
            F("type", .string, "What must be at the path: \"\", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice."),
        ]),
        object(p + "PersistentVolumeClaimVolumeSource", "A persistent volume claim as a volume.", required: ["claimName"], [
            F("claimName", .string, "The claim's name."), F("readOnly", .boolean, "Mount read-only."),
        ]),
        object(p + "DownwardAPIVolumeFile", "A pod field written to a file.", required: ["path"], [
            F("path", .string, "The relative file path."),
            F("fieldRef", core("ObjectFieldSelector"), "The pod field to write."),
            F("resourceFieldRef", core("ResourceFieldSelector"), "The container resource to write."),
            F("mode", .int32, "The file's permission bits."),
        ]),
        object(p + "DownwardAPIVolumeSource", "Pod fields as files.", [
            F("items", .array(core("DownwardAPIVolumeFile")), "The files to write."),
            F("defaultMode", .int32, "Permission bits of the files. Default 0644."),
        ]),
        object(p + "DownwardAPIProjection", "Pod fields as files in a projected volume.", [
            F("items", .array(core("DownwardAPIVolumeFile")), "The files to write."),
            F("defaultMode", .int32, "Not used by projections; accepted for compatibility."),
        ]),
        object(p + "ServiceAccountTokenProjection", "A service account token as a file.", required: ["path"], [
            F("audience", .string, "The token's intended audience."),
            F("expirationSeconds", .int64, "The token's requested lifetime."),
            F("path", .string, "The relative file path."),
        ]),
        object(p + "SecretProjection", "A secret's keys in a projected volume.", [
            F("name", .string, "The secret's name."), F("items", .array(core("KeyToPath")), "The keys to project."),
            F("optional", .boolean, "Whether the secret may be missing."),
        ]),
        object(p + "ConfigMapProjection", "A config map's keys in a projected volume.", [
            F("name", .string, "The config map's name."), F("items", .array(core("KeyToPath")), "The keys to project."),
            F("optional", .boolean, "Whether the config map may be missing."),
        ]),
        object(p + "VolumeProjection", "One source of a projected volume.", [
            F("secret", core("SecretProjection"), "A secret."),
            F("downwardAPI", core("DownwardAPIProjection"), "Pod fields."),
            F("configMap", core("ConfigMapProjection"), "A config map."),
            F("serviceAccountToken", core("ServiceAccountTokenProjection"), "A service account token."),
        ]),
        object(p + "ProjectedVolumeSource", "Several volume sources in one directory.", [
            F("sources", .array(core("VolumeProjection")), "The sources."),
            F("defaultMode", .int32, "Permission bits of the files. Default 0644."),
        ]),
        object(p + "Affinity", "Scheduling constraints relative to nodes and other pods.", [
            F("nodeAffinity", core("NodeAffinity"), "Which nodes the pod may or prefers to run on."),
            F("podAffinity", core("PodAffinity"), "Pods this pod should run near."),
            F("podAntiAffinity", core("PodAntiAffinity"), "Pods this pod should run away from."),
        ]),
        object(p + "NodeAffinity", "Node selection rules.", [
            F("requiredDuringSchedulingIgnoredDuringExecution", core("NodeSelector"), "Rules a node must satisfy."),
            F("preferredDuringSchedulingIgnoredDuringExecution", .array(core("PreferredSchedulingTerm")), "Weighted rules nodes should satisfy."),
        ]),
        object(p + "NodeSelector", "Node selector terms, any one of which must match.", required: ["nodeSelectorTerms"], [
            F("nodeSelectorTerms", .array(core("NodeSelectorTerm")), "The terms (ORed)."),
        ]),
        object(p + "NodeSelectorTerm", "Requirements a node must all meet.", [
            F("matchExpressions", .array(core("NodeSelectorRequirement")), "Requirements on node labels."),
            F("matchFields", .array(core("NodeSelectorRequirement")), "Requirements on node fields."),
        ]),
        object(p + "NodeSelectorRequirement", "A key, an operator and values.", required: ["key", "operator"], [
            F("key", .string, "The label or field key."),
            F("operator", .string, "In, NotIn, Exists, DoesNotExist, Gt or Lt."),
            F("values", strings, "The values compared with."),
        ]),
        object(p + "PreferredSchedulingTerm", "A weighted node preference.", required: ["weight", "preference"], [
            F("weight", .int32, "The weight, 1-100."), F("preference", core("NodeSelectorTerm"), "The preferred term."),
        ]),
        object(p + "PodAffinity", "Rules about pods to run near.", [
            F("requiredDuringSchedulingIgnoredDuringExecution", .array(core("PodAffinityTerm")), "Terms that must hold."),
            F("preferredDuringSchedulingIgnoredDuringExecution", .array(core("WeightedPodAffinityTerm")), "Weighted terms that should hold."),
        ]),
        object(p + "PodAntiAffinity", "Rules about pods to run away from.", [
            F("requiredDuringSchedulingIgnoredDuringExecution", .array(core("PodAffinityTerm")), "Terms that must hold."),
            F("preferredDuringSchedulingIgnoredDuringExecution", .array(core("WeightedPodAffinityTerm")), "Weighted terms that should hold."),
        ]),
        object(p + "PodAffinityTerm", "Pods (by label) in a topology domain.", required: ["topologyKey"], [
            F("labelSelector", meta("LabelSelector"), "The pods."),
            F("namespaces", strings, "The namespaces to look in; the pod's own when empty."),
            F("topologyKey", .string, "The node label whose values make the domains."),
            F("namespaceSelector", meta("LabelSelector"), "The namespaces to look in, by label."),
            F("matchLabelKeys", strings, "Pod label keys whose values must match (ANDed into labelSelector)."),
            F("mismatchLabelKeys", strings, "Pod label keys whose values must differ (ANDed into labelSelector)."),
        ]),
        object(p + "WeightedPodAffinityTerm", "A weighted pod affinity term.", required: ["weight", "podAffinityTerm"], [
            F("weight", .int32, "The weight, 1-100."), F("podAffinityTerm", core("PodAffinityTerm"), "The term."),
        ]),
        object(p + "Toleration", "Lets a pod schedule onto (or stay on) a node with a matching taint.", [
            F("key", .string, "The taint key; empty with Exists matches every taint."),
            F("operator", .string, "Exists or Equal (default)."),
            F("value", .string, "The taint value, for Equal."),
            F("effect", .string, "The taint effect matched; all when empty: NoSchedule, PreferNoSchedule or NoExecute."),
            F("tolerationSeconds", .int64, "For NoExecute: how long the pod stays after the taint appears."),
        ]),
        object(p + "TopologySpreadConstraint", "How matching pods spread across topology domains.",
               required: ["maxSkew", "topologyKey", "whenUnsatisfiable"], [
            F("maxSkew", .int32, "The most the pod counts of two domains may differ."),
            F("topologyKey", .string, "The node label whose values make the domains."),
            F("whenUnsatisfiable", .string, "DoNotSchedule or ScheduleAnyway."),
            F("labelSelector", meta("LabelSelector"), "The pods counted."),
            F("minDomains", .int32, "The least number of eligible domains."),
        ]),
    ]
}
