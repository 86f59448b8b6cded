import FoundationEssentials

/// `kubectl get nodes`, `namespaces`, `events` and `leases`.
enum ClusterPrinters {
    static let nodeRolePrefix = "node-role.kubernetes.io/"
    static let nodeRoleLabel = "kubernetes.io/role"

    /// NAME, STATUS ("Ready", "NotReady,SchedulingDisabled"), ROLES, AGE, VERSION; wide INTERNAL-IP,
    /// EXTERNAL-IP, OS-IMAGE, KERNEL-VERSION, CONTAINER-RUNTIME.
    static let nodes = ResourcePrinter(
        columns: [
            TableColumn.name,
            TableColumn("Status", "The status of the node"),
            TableColumn("Roles", "The roles of the node"),
            TableColumn.age,
            TableColumn("Version", "The kubelet version the node reports."),
            TableColumn("Internal-IP", priority: 1, "The node's first InternalIP address."),
            TableColumn("External-IP", priority: 1, "The node's first ExternalIP address."),
            TableColumn("OS-Image", priority: 1, "The operating system image the node reports."),
            TableColumn("Kernel-Version", priority: 1, "The kernel version the node reports."),
            TableColumn("Container-Runtime", priority: 1, "The container runtime and version the node reports."),
        ],
        row: { node, now in
            var status: [String] = []
            if let ready = node.array("status", "conditions").last(where: { $0.string("type") == "Ready" }) {
                status.append(ready.string("status") == "True" ? "Ready" : "NotReady")
            }
            if status.isEmpty { status.append("Unknown") }
            if node.value(at: ["spec", "unschedulable"])?.boolValue == true { status.append("SchedulingDisabled") }

            var roles = Set<String>()
            for (key, value) in node.stringMap("metadata", "labels") {
                if key.hasPrefix(nodeRolePrefix) {
                    let role = String(key.dropFirst(nodeRolePrefix.count))
                    if !role.isEmpty { roles.insert(role) }
                } else if key == nodeRoleLabel && !value.isEmpty {
                    roles.insert(value)
                }
            }
            func address(_ type: String) -> String {
                node.array("status", "addresses").first { $0.string("type") == type }?.string("address") ?? "<none>"
            }
            func info(_ key: String) -> JSONValue {
                let v = node.string("status", "nodeInfo", key) ?? ""
                return .string(v.isEmpty ? "<unknown>" : v)
            }
            return PrintedRow(cells: [
                .string(node.name), .string(status.joined(separator: ",")),
                .string(roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")), node.age(now),
                .string(node.string("status", "nodeInfo", "kubeletVersion") ?? ""),
                .string(address("InternalIP")), .string(address("ExternalIP")),
                info("osImage"), info("kernelVersion"), info("containerRuntimeVersion"),
            ])
        })

    /// NAME, STATUS (phase), AGE.
    static let namespaces = ResourcePrinter(
        columns: [TableColumn.name, TableColumn("Status", "The status of the namespace"), TableColumn.age],
        row: { ns, now in
            PrintedRow(cells: [.string(ns.name), .string(ns.string("status", "phase") ?? ""), ns.age(now)])
        })

    /// LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; wide SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME
    /// (in the order kubectl lays them out: the wide ones interleaved).
    static let events = ResourcePrinter(
        columns: [
            TableColumn("Last Seen", "When the event was last recorded."),
            TableColumn("Type", "Normal or Warning."),
            TableColumn("Reason", "A short, machine-readable reason for the event."),
            TableColumn("Object", "The object the event is about (kind/name)."),
            TableColumn("Subobject", priority: 1, "The part of the object the event is about (involvedObject.fieldPath)."),
            TableColumn("Source", priority: 1, "The component (and host) that reported the event."),
            TableColumn("Message", "A human-readable description of the event."),
            TableColumn("First Seen", priority: 1, "When the event was first recorded."),
            TableColumn("Count", priority: 1, "How many times the event occurred."),
            TableColumn("Name", format: "name", priority: 1, "The event object's name."),
        ],
        row: { ev, now in
            func microAge(_ value: String?) -> String {
                guard let value, MicroTime(rfc3339: value) != nil else { return "<unknown>" }
                return HumanDuration.since(value, now: now)
            }
            let first = ev.string("firstTimestamp")
            var firstSeen = HumanDuration.since(first, now: now)
            if first == nil { firstSeen = microAge(ev.string("eventTime")) }
            let last = ev.string("lastTimestamp")
            var lastSeen = last == nil ? firstSeen : HumanDuration.since(last, now: now)
            var count = ev.int("count")
            if let series = ev.value(at: ["series"]), series != .null {
                lastSeen = microAge(series.string("lastObservedTime"))
                count = series.int("count")
            } else if count == 0 {
                count = 1
            }
            let kind = (ev.string("involvedObject", "kind") ?? "").lowercased()
            let objectName = ev.string("involvedObject", "name") ?? ""
            let target = objectName.isEmpty ? kind : "\(kind)/\(objectName)"
            let component = nonEmpty(ev.string("source", "component")) ?? ev.string("reportingComponent") ?? ""
            let instance = nonEmpty(ev.string("source", "host")) ?? ev.string("reportingInstance") ?? ""
            let source = instance.isEmpty ? component : "\(component), \(instance)"
            let message = ev["message"]?.trimmed ?? ""
            return PrintedRow(cells: [
                .string(lastSeen), .string(ev.string("type") ?? ""), .string(ev.string("reason") ?? ""),
                .string(target), .string(ev.string("involvedObject", "fieldPath") ?? ""), .string(source),
                .string(message), .string(firstSeen), .integer(count), .string(ev.name),
            ])
        })

    static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }

    /// NAME, HOLDER, AGE.
    static let leases = ResourcePrinter(
        columns: [TableColumn.name, TableColumn("Holder", "The holder of the lease (spec.holderIdentity)."),
                  TableColumn.age],
        row: { lease, now in
            PrintedRow(cells: [.string(lease.name), .string(lease.string("spec", "holderIdentity") ?? ""),
                               lease.age(now)])
        })
}
