import KubeAPI
import KubeClient
import Synchronization

/// Seconds on a monotonic clock since the benchmark began: every time the benchmark records is on it.
public struct BenchClock: Sendable {
    let origin = ContinuousClock.now
    public init() {}
    public func now() -> Double {
        let d = ContinuousClock.now - origin
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Watches pods (one namespace, one label selector) and notes when each is first seen bound
/// (`spec.nodeName` set): what the benchmark times binds by, as a client observes them.
public final class BindWatch: Sendable {
    private let client: KubeAPIClient
    private let namespace: String
    private let labelSelector: String
    private let clock: BenchClock
    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    struct State {
        var boundAt: [String: Double] = [:]
        var watchErrors = 0
        var lastError: String?
    }

    public init(client: KubeAPIClient, namespace: String, labelSelector: String, clock: BenchClock) {
        self.client = client
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.clock = clock
    }

    /// Lists once for the starting version, then watches from it (again from the last version seen
    /// when the server ends a watch) until `stop()`.
    public func start() async throws(KubeClientError) {
        let list = try await client.list(Pod.self, namespace: namespace, options: ListOptions(labelSelector: labelSelector))
        for pod in list.items { note(pod) }
        let startVersion = list.metadata.resourceVersion
        let t = Task { [self] in
            var version = startVersion
            while !Task.isCancelled {
                do {
                    let events = try await client.watch(Pod.self, namespace: namespace, options: WatchOptions(
                        labelSelector: labelSelector, resourceVersion: version, timeoutSeconds: 1800))
                    for try await change in events {
                        if let v = change.resourceVersion { version = v }
                        if let pod = change.object { note(pod) }
                    }
                } catch {
                    if Task.isCancelled { return }
                    state.withLock {
                        $0.watchErrors += 1
                        $0.lastError = "\(error)"
                    }
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        task.withLock { $0 = t }
    }

    public func stop() { task.withLock { $0?.cancel() } }

    private func note(_ pod: Pod) {
        guard let name = pod.metadata.name, let node = pod.spec?.nodeName, !node.isEmpty else { return }
        let now = clock.now()
        state.withLock { s in
            if s.boundAt[name] == nil { s.boundAt[name] = now }
        }
    }

    public var boundCount: Int { state.withLock { $0.boundAt.count } }
    public var boundAt: [String: Double] { state.withLock { $0.boundAt } }
    public var watchErrors: (count: Int, last: String?) { state.withLock { ($0.watchErrors, $0.lastError) } }

    /// Polls until `count` pods are bound or `timeout` seconds pass, printing progress every few
    /// seconds; true when all were bound.
    public func waitForBound(_ count: Int, timeout: Double, progress: @Sendable (Int) -> Void) async -> Bool {
        let deadline = clock.now() + timeout
        var lastReport = clock.now()
        while clock.now() < deadline {
            let n = boundCount
            if n >= count { return true }
            if clock.now() - lastReport >= 5 {
                progress(n)
                lastReport = clock.now()
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return boundCount >= count
    }
}
