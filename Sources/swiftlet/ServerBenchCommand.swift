import ArgumentParser
import ControlPlane

/// `swiftlet server bench-api`: issue 5's API server load generator, for bench/apiserver.sh.
struct ServerBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-api", abstract: "API server load generator (benchmark).", shouldDisplay: false)

    @Option(name: .long, help: "Kubeconfig with the admin client certificate.")
    var kubeconfig: String
    @Option(name: .long, help: "Concurrent create clients (each with its own connection).")
    var clients = 50
    @Option(name: .long, help: "Pods to create.")
    var pods = 10_000
    @Option(name: .long, help: "Concurrent watch streams.")
    var watchers = 500
    @Option(name: .long, help: "Events (pod creates) every watcher must receive.")
    var events = 1000
    @Option(name: .customLong("server-pid"), help: "The server's process id, for its RSS.")
    var serverPID: Int32?

    func run() throws {
        var o = APIBenchmark.Options(kubeconfigPath: kubeconfig)
        o.clients = clients
        o.pods = pods
        o.watchers = watchers
        o.events = events
        o.serverPID = serverPID
        let status = APIBenchmark.runBlocking(o)
        if status != 0 { throw ExitCode(status) }
    }
}
