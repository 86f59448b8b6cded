import Controllers
import KubeClient
import Logging
import Scheduler

/// The scheduler and the controller manager of `swiftlet server`. They reach the API only through the
/// HTTPS listener (as kube-scheduler and kube-controller-manager do, and k3s's embedded ones), with a
/// client certificate of the cluster CA, so they see exactly what any other client sees.
struct ControlLoops: Sendable {
    var scheduler: SchedulerLoop
    var controllers: ControllerManager
    var tasks: [Task<Void, Never>]

    static func start(serverURL: String, caPEM: String, clientCertificatePEM: String, clientKeyPEM: String,
                      identity: String, timings: ControlLoopTimings, logger: Logger) throws -> ControlLoops {
        let config = try KubeClientConfig(server: serverURL, certificateAuthorityPEM: caPEM,
                                          clientCertificatePEM: clientCertificatePEM, clientKeyPEM: clientKeyPEM)
        let client = try KubeAPIClient(config: config)
        var schedulerConfig = SchedulerConfig(identity: identity)
        schedulerConfig.leaseDuration = timings.leaseDuration
        schedulerConfig.renewDeadline = timings.renewDeadline
        schedulerConfig.retryPeriod = timings.retryPeriod
        // The scheduler's own connections: enough idle ones kept that a burst of bindings reuses them
        // instead of handshaking TLS again for each.
        var schedulerClientConfig = config
        schedulerClientConfig.maxIdleConnections = schedulerConfig.maxInFlightBindings + 8
        var controllerConfig = ControllerManagerConfig(identity: identity)
        controllerConfig.leaseDuration = timings.leaseDuration
        controllerConfig.renewDeadline = timings.renewDeadline
        controllerConfig.retryPeriod = timings.retryPeriod
        controllerConfig.nodeMonitorPeriod = timings.nodeMonitorPeriod
        let grace = timings.nodeMonitorGracePeriod.components
        controllerConfig.nodeMonitorGracePeriod = Double(grace.seconds) + Double(grace.attoseconds) / 1e18
        let scheduler = SchedulerLoop(client: try KubeAPIClient(config: schedulerClientConfig), config: schedulerConfig)
        let controllers = try ControllerManager(client: client, config: controllerConfig)
        let tasks = [
            Task { await scheduler.run() },
            Task { await controllers.run() },
        ]
        logger.info("scheduler and controllers started", metadata: ["identity": "\(identity)"])
        return ControlLoops(scheduler: scheduler, controllers: controllers, tasks: tasks)
    }

    func stop() async {
        scheduler.stop()
        controllers.stop()
        for task in tasks {
            task.cancel()
            await task.value
        }
    }
}
