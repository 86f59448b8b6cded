import Dispatch
import FoundationEssentials
import Glibc
import KubeAPI
import KubeClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Issue 5's API server benchmark as a load generator over real HTTPS with the admin kubeconfig's
/// client certificate: (a) `clients` connections POST `pods` pods, (b) `watchers` watch streams each
/// read `events` pod creates a single writer makes, timed from send to receipt, (c) the server's RSS.
public enum APIBenchmark {
    public struct Options: Sendable {
        public var kubeconfigPath: String
        public var clients = 50
        public var pods = 10_000
        public var watchers = 500
        public var events = 1000
        public var serverPID: Int32?
        public var namespace = "bench"
        public var watchNamespace = "bench-watch"
        /// How long the watch phase may take before unfinished watchers count as incomplete.
        public var watchDeadline: Duration = .seconds(300)

        public init(kubeconfigPath: String) { self.kubeconfigPath = kubeconfigPath }
    }

    public enum Failure: Error, CustomStringConvertible {
        case step(String, String)
        public var description: String {
            switch self { case .step(let s, let e): "\(s): \(e)" }
        }
    }

    public static func run(_ options: Options) async throws -> APIBenchReport {
        let config: KubeClientConfig
        do { config = try KubeClientConfig(kubeconfigPath: options.kubeconfigPath) } catch {
            throw Failure.step("reading kubeconfig \(options.kubeconfigPath)", "\(error)")
        }
        let admin = try client(config)
        for ns in [options.namespace, options.watchNamespace] { try await createNamespace(ns, admin) }

        let creates = try await runCreates(options, config)
        let afterCreates = try options.serverPID.map { pid in
            do { return try ProcessMemory.read(pid: pid) } catch { throw Failure.step("server memory", "\(error)") }
        }
        var watch: APIBenchReport.Watch?
        if options.watchers > 0, options.events > 0 {
            watch = try await runWatch(options, config, admin)
        }
        let atEnd = options.serverPID.flatMap { try? ProcessMemory.read(pid: $0) }
        return APIBenchReport(creates: creates, watch: watch, memoryAfterCreates: afterCreates, memoryAtEnd: atEnd)
    }

    // MARK: (a) creates

    static func runCreates(_ options: Options, _ config: KubeClientConfig) async throws -> APIBenchReport.Creates {
        let clientCount = max(1, options.clients)
        var clients: [KubeAPIClient] = []
        for _ in 0..<clientCount { clients.append(try client(config)) }
        defer { for c in clients { c.transport.shutdown() } }
        // Each client opens its connection (TLS handshake) before the clock starts.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in clients {
                group.addTask {
                    do { _ = try await c.raw(HTTPRequest(method: .GET, path: "/api/v1/namespaces/\(options.namespace)")) } catch {
                        throw Failure.step("warming up a connection", "\(error)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let next = Counter()
        let path = "/api/v1/namespaces/\(options.namespace)/pods"
        let start = monotonicNanos()
        let outcomes = await withTaskGroup(of: ([Double], Int, String?).self) { group in
            for c in clients {
                group.addTask {
                    var latencies: [Double] = []
                    var errors = 0
                    var firstError: String?
                    while true {
                        let i = next.take()
                        if i >= options.pods { break }
                        let t0 = monotonicNanos()
                        let body = BenchPod.json(name: "bench-\(i)", namespace: options.namespace, sequence: i, sentNanos: t0)
                        do {
                            _ = try await c.raw(HTTPRequest(method: .POST, path: path, body: body))
                            latencies.append(milliseconds(from: t0, to: monotonicNanos()))
                        } catch {
                            errors += 1
                            if firstError == nil { firstError = "\(error)" }
                        }
                    }
                    return (latencies, errors, firstError)
                }
            }
            var all: ([Double], Int, String?) = ([], 0, nil)
            for await r in group {
                all.0 += r.0
                all.1 += r.1
                all.2 = all.2 ?? r.2
            }
            return all
        }
        let seconds = milliseconds(from: start, to: monotonicNanos()) / 1000
        return APIBenchReport.Creates(clients: clientCount, requested: options.pods, errors: outcomes.1,
                                      firstError: outcomes.2, seconds: seconds, latency: LatencySummary(outcomes.0))
    }

    // MARK: (b) watch fan-out

    struct WatcherOutcome: Sendable {
        var latencies: [Double] = []
        var inOrder = true
        var received = 0
        var error: String?
    }

    static func runWatch(_ options: Options, _ config: KubeClientConfig, _ admin: KubeAPIClient) async throws
        -> APIBenchReport.Watch {
        let ns = options.watchNamespace
        // From now: the version of an (empty) list, so no watcher sees earlier objects.
        let version: String
        do {
            version = try await admin.list(Pod.self, namespace: ns, options: ListOptions(limit: 1)).metadata.resourceVersion ?? ""
        } catch {
            throw Failure.step("listing \(ns) pods for the watch's resourceVersion", "\(error)")
        }
        let watchPath = "/api/v1/namespaces/\(ns)/pods?watch=1&resourceVersion=\(version)"
        // Watch streams do not share connections: one transport serves them all, each its own socket.
        let streams = try client(config)
        let writer = try client(config)
        let ready = Counter()
        let failed = Counter()
        let events = options.events

        let result = await withTaskGroup(of: (WatcherOutcome?, [Double]?).self) { group in
            for _ in 0..<options.watchers {
                group.addTask {
                    let outcome = await watchOnce(streams.transport, path: watchPath, events: events, ready: ready, failed: failed)
                    return (outcome, nil)
                }
            }
            group.addTask {
                // Start writing once every watch is established (or has failed).
                while ready.value + failed.value < options.watchers {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                try? await Task.sleep(for: .milliseconds(200))
                var writes: [Double] = []
                for seq in 0..<events {
                    let t0 = monotonicNanos()
                    let body = BenchPod.json(name: "watch-\(seq)", namespace: ns, sequence: seq, sentNanos: t0)
                    do {
                        _ = try await writer.raw(HTTPRequest(method: .POST, path: "/api/v1/namespaces/\(ns)/pods", body: body))
                        writes.append(milliseconds(from: t0, to: monotonicNanos()))
                    } catch {
                        break
                    }
                }
                return (nil, writes)
            }
            group.addTask {
                try? await Task.sleep(for: options.watchDeadline)
                return (nil, nil)
            }
            var outcomes: [WatcherOutcome] = []
            var writes: [Double] = []
            while let r = await group.next() {
                if let o = r.0 { outcomes.append(o) }
                if let w = r.1 { writes = w }
                // The deadline passed, or every watcher is done: stop whatever still runs.
                if (r.0 == nil && r.1 == nil) || outcomes.count == options.watchers { group.cancelAll() }
            }
            return (outcomes, writes)
        }
        streams.transport.shutdown()
        writer.transport.shutdown()
        let outcomes = result.0
        let complete = outcomes.filter { $0.inOrder && $0.received == events && $0.error == nil }.count
        let errors = outcomes.filter { $0.error != nil }.count + (options.watchers - outcomes.count)
        let firstError = outcomes.lazy.compactMap { $0.error }.first
            ?? (result.1.count < events ? "the writer made \(result.1.count) of \(events) pods" : nil)
        return APIBenchReport.Watch(watchers: options.watchers, events: events, completeWatchers: complete, errors: errors,
                                    firstError: firstError, delivery: LatencySummary(outcomes.flatMap { $0.latencies }),
                                    writes: LatencySummary(result.1))
    }

    /// One watcher: opens the stream, counts itself ready, reads until `events` pod events arrived.
    static func watchOnce(_ transport: HTTPTransport, path: String, events: Int, ready: Counter, failed: Counter) async
        -> WatcherOutcome {
        var out = WatcherOutcome()
        out.latencies.reserveCapacity(events)
        let response: (status: Int, headers: HTTPHeaders, body: ResponseBody, close: @Sendable () -> Void)
        do {
            response = try await transport.stream(HTTPRequest(method: .GET, path: path))
        } catch {
            _ = failed.take()
            out.error = "opening the watch: \(error)"
            return out
        }
        defer { response.close() }
        guard response.status == 200 else {
            _ = failed.take()
            out.error = "watch answered HTTP \(response.status)"
            return out
        }
        _ = ready.take()
        var framer = JSONStreamFramer()
        var expected = 0
        do {
            for try await chunk in response.body {
                let now = monotonicNanos()
                for document in try framer.append(chunk.readableBytesView) {
                    guard let stamp = BenchPod.stamp(in: document) else {
                        if isErrorEvent(document) {
                            out.error = "ERROR event: \(String(decoding: document.prefix(300), as: UTF8.self))"
                            return out
                        }
                        continue  // a bookmark
                    }
                    if stamp.sequence != expected { out.inOrder = false }
                    expected = stamp.sequence + 1
                    out.received += 1
                    out.latencies.append(milliseconds(from: stamp.sentNanos, to: now))
                }
                if out.received >= events { return out }
            }
            out.error = "the server ended the watch after \(out.received) events"
        } catch {
            if !Task.isCancelled { out.error = "reading the watch after \(out.received) events: \(error)" }
        }
        return out
    }

    static func isErrorEvent(_ document: [UInt8]) -> Bool {
        BenchPod.firstIndex(of: Array("\"type\":\"ERROR\"".utf8), in: document) != nil
    }

    // MARK: helpers

    static func client(_ config: KubeClientConfig) throws -> KubeAPIClient {
        do { return try KubeAPIClient(config: config) } catch { throw Failure.step("making a client", "\(error)") }
    }

    static func createNamespace(_ name: String, _ client: KubeAPIClient) async throws {
        let body = Array(#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(name)"}}"#.utf8)
        do {
            _ = try await client.raw(HTTPRequest(method: .POST, path: "/api/v1/namespaces", body: body))
        } catch {
            // AlreadyExists: a rerun against the same server.
            if error.isAlreadyExists || error.isConflict { return }
            throw Failure.step("creating namespace \(name)", "\(error)")
        }
    }

    /// For the CLI: runs, prints the report, returns the exit status (0 only if every target passed).
    public static func runBlocking(_ options: Options) -> Int32 {
        let outcome = Mutex<Result<APIBenchReport, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let load = loadAverage()
        Task {
            let r: Result<APIBenchReport, any Error>
            do { r = .success(try await run(options)) } catch { r = .failure(error) }
            outcome.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        switch outcome.withLock({ $0 }) {
        case .success(var report)?:
            report.load = load
            print(report.render())
            return report.passed ? 0 : 1
        case .failure(let e)?:
            let text = Array("bench-api: \(e)\n".utf8)
            _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            return 2
        case nil:
            return 2
        }
    }

    static func loadAverage() -> String? {
        guard let f = fopen("/proc/loadavg", "r") else { return nil }
        defer { fclose(f) }
        var buffer = [CChar](repeating: 0, count: 128)
        guard fgets(&buffer, Int32(buffer.count), f) != nil else { return nil }
        let line = String(cString: buffer)
        return line.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// A shared counter the benchmark's tasks take numbers from.
final class Counter: Sendable {
    private let atomic = Atomic<Int>(0)
    /// The value before adding one.
    func take() -> Int { atomic.add(1, ordering: .relaxed).oldValue }
    var value: Int { atomic.load(ordering: .relaxed) }
}

@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
