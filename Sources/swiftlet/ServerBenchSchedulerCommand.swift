import ArgumentParser
import ControlPlane

/// `swiftlet server bench-scheduler`: the scheduler's end-to-end throughput benchmark against a
/// running `swiftlet server` (bench/scheduler.sh starts one).
struct ServerBenchSchedulerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-scheduler", abstract: "Scheduler throughput benchmark (hollow nodes, pending pods, a Deployment).",
        shouldDisplay: false)

    @Option(name: .long, help: "Admin kubeconfig of the server under test.")
    var kubeconfig: String
    @Option(name: .long, help: "Hollow nodes to register.")
    var nodes = 5000
    @Option(name: .long, help: "Pending pods to create.")
    var pods = 10000
    @Option(name: .customLong("deployment-replicas"), help: "Replicas of the Deployment applied with kubectl (0 skips it).")
    var deploymentReplicas = 1000
    @Option(name: .long, help: "Concurrent clients creating nodes and pods.")
    var clients = 64
    @Option(name: .long, help: "Namespace for the pods.")
    var namespace = "sched-bench"
    @Flag(name: .customLong("no-pause"), help: "Leave the scheduler running while the pods are created.")
    var noPause = false
    @Option(name: .long, help: "kubectl to apply the Deployment with.")
    var kubectl = "kubectl"
    @Option(name: .long, help: "Throughput target, pods/s.")
    var target = 2000.0
    @Option(name: .long, help: "Longest wait for one phase's binds, seconds.")
    var timeout = 600.0
    @Option(name: .customLong("work-dir"), help: "Where the Deployment manifest is written.")
    var workDir = "/tmp"
    @Option(name: .customLong("server-pid"), help: "The server's pid, to report its CPU time per pod.")
    var serverPID: Int32?

    func run() throws {
        var o = SchedulerBenchmarkOptions(kubeconfig: kubeconfig)
        o.nodes = nodes
        o.pods = pods
        o.deploymentReplicas = deploymentReplicas
        o.clients = clients
        o.namespace = namespace
        o.pauseScheduler = !noPause
        o.kubectl = kubectl
        o.targetPodsPerSecond = target
        o.timeout = timeout
        o.workDirectory = workDir
        o.serverPID = serverPID
        let status = SchedulerBenchmark.runBlocking(o)
        if status != 0 { throw ExitCode(status) }
    }
}
