import FoundationEssentials

/// `kubectl get pods`: NAME, READY, STATUS, RESTARTS, AGE; wide IP, NODE, NOMINATED NODE, READINESS GATES.
/// STATUS follows the printer's reasoning: the phase (or status.reason), replaced by the first unfinished
/// init container ("Init:1/2", "Init:CrashLoopBackOff"), then by the last container that is waiting or
/// terminated with a reason ("ContainerCreating", "CrashLoopBackOff", "Completed"), then "Terminating"
/// once the pod is being deleted.
enum PodPrinter {
    static let printer = ResourcePrinter(
        columns: [
            TableColumn.name,
            TableColumn("Ready", "The aggregate readiness state of this pod for accepting traffic."),
            TableColumn("Status", "The aggregate status of the containers in this pod."),
            TableColumn("Restarts", "How many times the pod's containers have restarted, and when the last one did."),
            TableColumn.age,
            TableColumn("IP", priority: 1, "The pod's IP address (status.podIPs[0])."),
            TableColumn("Node", priority: 1, "The node the pod is bound to (spec.nodeName)."),
            TableColumn("Nominated Node", priority: 1, "The node preemption nominated for the pod."),
            TableColumn("Readiness Gates", priority: 1, "How many of the pod's readiness gates are true."),
        ],
        row: row)

    static let nodeUnreachablePodReason = "NodeLost"

    struct ContainerInfo {
        var name: String
        var ready: Bool
        var started: Bool?
        var restartCount: Int64
        var waitingReason: String?
        var running: Bool
        var terminated: (exitCode: Int64, signal: Int64, reason: String)?
        /// lastState.terminated.finishedAt, in microseconds since the epoch.
        var lastTerminatedAt: Int64?

        init(_ s: JSONValue) {
            name = s.string("name") ?? ""
            ready = s.value(at: ["ready"])?.boolValue ?? false
            started = s.value(at: ["started"])?.boolValue
            restartCount = s.int("restartCount")
            let waiting = s.value(at: ["state", "waiting"])
            waitingReason = waiting.map { $0.string("reason") ?? "" }
            running = s.value(at: ["state", "running"]).map { $0 != .null } ?? false
            if let t = s.value(at: ["state", "terminated"]), t != .null {
                terminated = (t.int("exitCode"), t.int("signal"), t.string("reason") ?? "")
            }
            if let t = s.value(at: ["lastState", "terminated"]), t != .null {
                lastTerminatedAt = t.string("finishedAt").flatMap { MicroTime(rfc3339: $0) }?.microseconds ?? 0
            }
        }
    }

    static func row(_ pod: JSONValue, _ now: Date) -> PrintedRow {
        let phase = pod.string("status", "phase") ?? ""
        let statusReason = pod.string("status", "reason") ?? ""
        let conditions = pod.array("status", "conditions")
        var reason = statusReason.isEmpty ? phase : statusReason
        for c in conditions where c.string("type") == "PodScheduled" && c.string("reason") == "SchedulingGated" {
            reason = "SchedulingGated"
        }

        let initSpecs = pod.array("spec", "initContainers")
        var restartableInit = Set<String>()
        for c in initSpecs where c.string("restartPolicy") == "Always" { restartableInit.insert(c.string("name") ?? "") }
        let totalContainers = pod.array("spec", "containers").count + restartableInit.count
        var readyContainers = 0
        var restarts: Int64 = 0
        var lastRestart: Int64 = 0
        var sidecarRestarts: Int64 = 0
        var lastSidecarRestart: Int64 = 0

        var initializing = false
        for (i, statusJSON) in pod.array("status", "initContainerStatuses").enumerated() {
            let c = ContainerInfo(statusJSON)
            let restartable = restartableInit.contains(c.name)
            restarts += c.restartCount
            if let at = c.lastTerminatedAt { lastRestart = max(lastRestart, at) }
            if restartable {
                sidecarRestarts += c.restartCount
                if let at = c.lastTerminatedAt { lastSidecarRestart = max(lastSidecarRestart, at) }
            }
            if let t = c.terminated, t.exitCode == 0 { continue }
            if restartable, c.started == true {
                if c.ready { readyContainers += 1 }
                continue
            }
            if let t = c.terminated {
                if t.reason.isEmpty {
                    reason = t.signal != 0 ? "Init:Signal:\(t.signal)" : "Init:ExitCode:\(t.exitCode)"
                } else {
                    reason = "Init:" + t.reason
                }
            } else if let w = c.waitingReason, !w.isEmpty, w != "PodInitializing" {
                reason = "Init:" + w
            } else {
                reason = "Init:\(i)/\(initSpecs.count)"
            }
            initializing = true
            break
        }

        let initialized = conditions.first { $0.string("type") == "Initialized" }?.string("status") == "True"
        if !initializing || initialized {
            restarts = sidecarRestarts
            lastRestart = lastSidecarRestart
            var hasRunning = false
            for statusJSON in pod.array("status", "containerStatuses").reversed() {
                let c = ContainerInfo(statusJSON)
                restarts += c.restartCount
                if let at = c.lastTerminatedAt { lastRestart = max(lastRestart, at) }
                if let w = c.waitingReason, !w.isEmpty {
                    reason = w
                } else if let t = c.terminated, !t.reason.isEmpty {
                    reason = t.reason
                } else if let t = c.terminated {
                    reason = t.signal != 0 ? "Signal:\(t.signal)" : "ExitCode:\(t.exitCode)"
                } else if c.ready && c.running {
                    hasRunning = true
                    readyContainers += 1
                }
            }
            if reason == "Completed" && hasRunning {
                let ready = conditions.contains { $0.string("type") == "Ready" && $0.string("status") == "True" }
                reason = ready ? "Running" : "NotReady"
            }
        }

        let deleting = pod.value(at: ["metadata", "deletionTimestamp"]).map { $0 != .null } ?? false
        if deleting && statusReason == nodeUnreachablePodReason {
            reason = "Unknown"
        } else if deleting && phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating"
        }

        var restartsCell = String(restarts)
        if restarts != 0 && lastRestart != 0 {
            let ago = HumanDuration.string(
                seconds: (Int64((now.timeIntervalSince1970 * 1_000_000).rounded(.down)) - lastRestart) / 1_000_000)
            restartsCell = "\(restarts) (\(ago) ago)"
        }

        let podIP = pod.array("status", "podIPs").first?.string("ip") ?? ""
        let nodeName = pod.string("spec", "nodeName") ?? ""
        let nominated = pod.string("status", "nominatedNodeName") ?? ""
        var readinessGates = "<none>"
        let gates = pod.array("spec", "readinessGates")
        if !gates.isEmpty {
            let trueCount = gates.filter { gate in
                conditions.first { $0.string("type") == gate.string("conditionType") }?.string("status") == "True"
            }.count
            readinessGates = "\(trueCount)/\(gates.count)"
        }

        var row = PrintedRow(cells: [
            .string(pod.name), .string("\(readyContainers)/\(totalContainers)"), .string(reason),
            .string(restartsCell), pod.age(now),
            .string(podIP.isEmpty ? "<none>" : podIP), .string(nodeName.isEmpty ? "<none>" : nodeName),
            .string(nominated.isEmpty ? "<none>" : nominated), .string(readinessGates),
        ])
        switch phase {
        case "Succeeded":
            row.conditions = [TableRowCondition(type: "Completed", status: "True", reason: "Succeeded",
                                                message: "The pod has completed successfully.")]
        case "Failed":
            row.conditions = [TableRowCondition(type: "Completed", status: "True", reason: "Failed",
                                                message: "The pod failed.")]
        default: break
        }
        return row
    }
}
