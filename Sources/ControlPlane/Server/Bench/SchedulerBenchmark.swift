import Dispatch
import FoundationEssentials
import Glibc
import KubeAPI
import KubeClient
import Scheduler
import Synchronization

/// How `swiftlet server bench-scheduler` runs.
public struct SchedulerBenchmarkOptions: Sendable {
    public var kubeconfig: String
    public var nodes = 5000
    public var pods = 10000
    public var deploymentReplicas = 1000
    /// Concurrent clients (connections) creating nodes and pods.
    public var clients = 64
    public var namespace = "sched-bench"
    /// Hold the scheduler's lease while the pods are created, so it meets all of them at once.
    public var pauseScheduler = true
    public var kubectl = "kubectl"
    public var targetPodsPerSecond = 2000.0
    /// Longest wait for any one phase's binds, seconds.
    public var timeout = 600.0
    /// Where the Deployment manifest is written.
    public var workDirectory = "/tmp"
    /// The server's pid, to report the CPU time it spent per pod (a figure the machine's load does not
    /// skew the way it skews wall-clock rates).
    public var serverPID: Int32?

    public init(kubeconfig: String) { self.kubeconfig = kubeconfig }
}

public struct SchedulerBenchError: Error, CustomStringConvertible {
    public var step: String
    public var detail: String
    public var description: String { "\(step): \(detail)" }
}

/// ClusterLoader2's scheduler throughput test against a real `swiftlet server`: hollow nodes, a burst
/// of pending pods, binds observed through a watch; then a Deployment applied with kubectl, timed to
/// its last pod bound. Everything goes through the HTTPS API with the admin kubeconfig.
public enum SchedulerBenchmark {
    static let leaseNamespace = "kube-system"
    static let leaseName = "kube-scheduler"
    static let benchIdentity = "swiftlet-scheduler-bench"
    /// The scheduler steps down once it has failed to renew for its renew deadline (10 s) after a
    /// retry period (2 s); pods created before that could be bound by the outgoing leader.
    static let stepDownWait = 14.0

    /// True when every pod was bound and no node is overcommitted (the throughput target is reported,
    /// not enforced).
    public static func run(_ o: SchedulerBenchmarkOptions) async throws -> Bool {
        let clock = BenchClock()
        let core = SchedulerBench.run(nodes: o.nodes, pods: o.pods)
        print("core only (in-process SchedulerBench, no API): \(core)")
        let anti = SchedulerBench.run(nodes: o.nodes, pods: o.pods, antiAffinityEvery: 10)
        print("core only, 1 pod in 10 with required hostname anti-affinity: \(anti)")

        var config = try KubeClientConfig(kubeconfigPath: o.kubeconfig)
        config.maxIdleConnections = o.clients + 4
        config.requestTimeout = .seconds(120)
        let client = try KubeAPIClient(config: config)

        var pausedAt: Double?
        if o.pauseScheduler {
            try await setSchedulerLease(client, holder: benchIdentity, duration: 3600)
            pausedAt = clock.now()
            print("scheduler paused (lease \(leaseNamespace)/\(leaseName) held by \(benchIdentity))")
        }
        try await ensureNamespace(client, o.namespace)

        // Nodes.
        let heartbeat = Time.now()
        var t0 = clock.now()
        let nodeErrors = await concurrently(o.nodes, width: o.clients) { i in
            _ = try await client.create(SchedulerBenchObjects.node(i, heartbeat: heartbeat))
        }
        var dt = clock.now() - t0
        print("nodes: \(o.nodes - nodeErrors.count) created in \(fmt(dt)) s = \(Int(Double(o.nodes) / dt))/s"
            + (nodeErrors.count > 0 ? ", \(nodeErrors.count) failed, first: \(nodeErrors.first ?? "")" : ""))
        guard nodeErrors.count == 0 else { return false }
        if let pausedAt {
            let wait = stepDownWait - (clock.now() - pausedAt)
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        }

        // Pods.
        let watch = BindWatch(client: client, namespace: o.namespace, labelSelector: "app=sched-bench", clock: clock)
        try await watch.start()
        defer { watch.stop() }
        let created = CreatedTimes()
        t0 = clock.now()
        let podErrors = await concurrently(o.pods, width: o.clients) { i in
            _ = try await client.create(SchedulerBenchObjects.pod(i, namespace: o.namespace))
            created.note("bench-pod-\(i)", clock.now())
        }
        dt = clock.now() - t0
        print("pods: \(o.pods - podErrors.count) created in \(fmt(dt)) s = \(Int(Double(o.pods) / dt))/s"
            + (podErrors.count > 0 ? ", \(podErrors.count) failed, first: \(podErrors.first ?? "")" : ""))
        guard podErrors.count == 0 else { return false }
        var resumedAt: Double?
        var cpuAtResume: Double?
        if o.pauseScheduler {
            let early = watch.boundCount
            if early > 0 { print("warning: \(early) pods were bound while the scheduler was paused") }
            try await setSchedulerLease(client, holder: nil, duration: 1)
            resumedAt = clock.now()
            cpuAtResume = o.serverPID.flatMap(cpuSeconds)
            print("scheduler resumed (lease released)")
        }
        let allBound = await watch.waitForBound(o.pods, timeout: o.timeout) { n in print("  … \(n) bound") }
        let cpuAtEnd = o.serverPID.flatMap(cpuSeconds)
        let boundAt = watch.boundAt
        var readyAt = created.times
        if let resumedAt { for (k, v) in readyAt { readyAt[k] = max(v, resumedAt) } }
        let stats = BindStats.compute(readyAt: readyAt, boundAt: boundAt)
        var ok = allBound
        if let s = stats {
            let since = resumedAt.map { " (resume → last bind \(fmt(s.lastBind - $0)) s)" } ?? ""
            print("binds: \(s.bound)/\(o.pods) first→last \(fmt(s.lastBind - s.firstBind)) s = \(Int(s.podsPerSecond)) pods/s\(since)")
            print("latency (\(resumedAt == nil ? "create answered" : "schedulable: max(create answered, resume)") → bind seen): "
                + "p50 \(ms(s.p50)) ms, p99 \(ms(s.p99)) ms, max \(ms(s.max)) ms")
        }
        if let a = cpuAtResume, let b = cpuAtEnd, let s = stats, s.bound > 0 {
            let perPod = (b - a) / Double(s.bound)
            print("server CPU resume → all bound: \(fmt(b - a)) s = \(ms(perPod)) ms per pod "
                + "(≈ \(Int(1 / max(perPod, 1e-9))) pods/s per core if CPU were the only limit)")
        }
        if !allBound {
            let (n, last) = watch.watchErrors
            print("FAIL: only \(watch.boundCount) of \(o.pods) pods bound within \(Int(o.timeout)) s (watch errors \(n), last: \(last ?? "-"))")
        }
        ok = try await verify(client, o, pods: o.pods) && ok
        let rate = stats?.podsPerSecond ?? 0
        let verdict = rate >= o.targetPodsPerSecond ? "PASS" : "FAIL"
        print("throughput \(verdict): \(Int(rate)) pods/s at \(o.nodes) nodes (target ≥ \(Int(o.targetPodsPerSecond)); "
            + "ClusterLoader2's threshold 400)")
        watch.stop()

        // The Deployment, through kubectl.
        if o.deploymentReplicas > 0 {
            ok = try await deployment(client, o, clock: clock) && ok
        }
        return ok
    }

    /// `kubectl apply` of a Deployment, timed from the command's start to its last pod bound.
    static func deployment(_ client: KubeAPIClient, _ o: SchedulerBenchmarkOptions, clock: BenchClock) async throws -> Bool {
        let name = "bench-deploy"
        let path = o.workDirectory + "/\(name)-\(getpid()).yaml"
        let manifest = SchedulerBenchObjects.deploymentManifest(name: name, namespace: o.namespace, replicas: o.deploymentReplicas)
        guard let file = fopen(path, "w") else { throw SchedulerBenchError(step: "write \(path)", detail: "errno \(errno)") }
        fputs(manifest, file)
        fclose(file)
        defer { unlink(path) }
        let watch = BindWatch(client: client, namespace: o.namespace, labelSelector: "app=\(name)", clock: clock)
        try await watch.start()
        defer { watch.stop() }
        let t0 = clock.now()
        let status = try SpawnAndWait.run([o.kubectl, "--kubeconfig", o.kubeconfig, "apply", "-f", path])
        guard status == 0 else {
            print("FAIL: kubectl apply exited \(status)")
            return false
        }
        let applied = clock.now() - t0
        let allBound = await watch.waitForBound(o.deploymentReplicas, timeout: o.timeout) { n in print("  … \(n) bound") }
        let boundAt = watch.boundAt
        if let last = boundAt.values.max(), let first = boundAt.values.min() {
            print("deployment \(o.deploymentReplicas) replicas: kubectl apply \(fmt(applied)) s; all bound \(fmt(last - t0)) s after apply began "
                + "(first bind at \(fmt(first - t0)) s; \(Int(Double(boundAt.count - 1) / max(last - first, 1e-9))) pods/s first→last)")
        }
        if !allBound { print("FAIL: only \(watch.boundCount) of \(o.deploymentReplicas) deployment pods bound within \(Int(o.timeout)) s") }
        return try await verify(client, o, pods: o.pods + o.deploymentReplicas) && allBound
    }

    /// Every pod in the namespace bound, no node overcommitted, every node still Ready.
    static func verify(_ client: KubeAPIClient, _ o: SchedulerBenchmarkOptions, pods expected: Int) async throws -> Bool {
        let nodes = try await client.listAll(Node.self, options: ListOptions(limit: 1000)).items
        let pods = try await client.listAll(Pod.self, namespace: o.namespace, options: ListOptions(limit: 1000)).items
        let unbound = pods.filter { ($0.spec?.nodeName ?? "").isEmpty }.count
        let notReady = nodes.filter { !($0.status?.isReady ?? false) }.count
        let over = NodeFit.overcommitted(nodes: nodes, pods: pods)
        let used = Set(pods.compactMap { $0.spec?.nodeName }).count
        print("check: \(pods.count) pods (expected \(expected)), \(unbound) unbound, on \(used) nodes; "
            + "\(over.count) nodes overcommitted; \(notReady) of \(nodes.count) nodes not Ready")
        for line in over.prefix(5) { print("  overcommitted \(line)") }
        return pods.count == expected && unbound == 0 && over.isEmpty
    }

    static func ensureNamespace(_ client: KubeAPIClient, _ name: String) async throws(KubeClientError) {
        do {
            _ = try await client.create(Namespace(metadata: ObjectMeta(name: name)))
        } catch {
            if !error.isAlreadyExists { throw error }
        }
    }

    /// Takes (holder set, long duration) or releases (holder nil) the scheduler's Lease.
    static func setSchedulerLease(_ client: KubeAPIClient, holder: String?, duration: Int32) async throws {
        var lastError = ""
        for _ in 0..<20 {
            let now = MicroTime.now()
            let spec = LeaseSpec(holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: now, renewTime: now)
            switch await writeLease(client, spec) {
            case .success: return
            // A conflict with the scheduler's own renewal: read again.
            case .failure(let error): lastError = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SchedulerBenchError(step: "set lease \(leaseNamespace)/\(leaseName)", detail: lastError)
    }

    /// One read-modify-write of the scheduler's Lease (created when missing).
    static func writeLease(_ client: KubeAPIClient, _ spec: LeaseSpec) async -> Result<Void, KubeClientError> {
        let current: Lease
        do {
            current = try await client.get(Lease.self, name: leaseName, namespace: leaseNamespace)
        } catch {
            guard error.isNotFound else { return .failure(error) }
            do {
                _ = try await client.create(Lease(metadata: ObjectMeta(name: leaseName, namespace: leaseNamespace), spec: spec))
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        var lease = current
        var next = spec
        next.leaseTransitions = (current.spec?.leaseTransitions ?? 0) + 1
        lease.spec = next
        do {
            _ = try await client.update(lease)
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// Runs `body(0..<count)` on `width` workers; returns the errors' descriptions.
    static func concurrently(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async -> [String] {
        await withTaskGroup(of: [String].self) { group in
            let w = max(1, min(width, count))
            for worker in 0..<w {
                group.addTask {
                    var errors: [String] = []
                    for i in stride(from: worker, to: count, by: w) {
                        do { try await body(i) } catch { errors.append("#\(i): \(error)") }
                    }
                    return errors
                }
            }
            var all: [String] = []
            for await e in group { all += e }
            return all
        }
    }

    /// utime + stime of a process, seconds (/proc/PID/stat fields 14 and 15).
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let f = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(f) }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard fgets(&buffer, Int32(buffer.count), f) != nil else { return nil }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        guard let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return nil }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func fmt(_ s: Double) -> String { "\((s * 100).rounded() / 100)" }
    static func ms(_ s: Double) -> String { "\((s * 10_000).rounded() / 10)" }

    /// For the CLI: runs, returns the exit status (1 when a check failed or the run broke).
    public static func runBlocking(_ o: SchedulerBenchmarkOptions) -> Int32 {
        let outcome = Mutex<Int32>(1)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let ok = try await run(o)
                outcome.withLock { $0 = ok ? 0 : 1 }
            } catch {
                print("FAIL: \(error)")
            }
            done.signal()
        }
        done.wait()
        return outcome.withLock { $0 }
    }
}

/// When each pod's create was answered.
final class CreatedTimes: Sendable {
    private let state = Mutex<[String: Double]>([:])
    func note(_ name: String, _ t: Double) { state.withLock { $0[name] = t } }
    var times: [String: Double] { state.withLock { $0 } }
}
