import Dispatch
import Glibc
import Store
import Synchronization

/// A put load (etcd's `benchmark put` in small): `clients` connections, each putting its share of
/// `total` random keys with `valueSize`-byte values one after another. Prints throughput and latency
/// percentiles as one line of key=value pairs.
public enum PutBenchmark {
    public struct Result: Sendable {
        public var seconds: Double
        public var latenciesMs: [Double]
        public var errors: Int
        public var firstError: String?

        public var writesPerSecond: Double { Double(latenciesMs.count) / seconds }
        public func percentile(_ p: Double) -> Double {
            guard !latenciesMs.isEmpty else { return 0 }
            let sorted = latenciesMs.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    public static func run(endpoints: [String], clients: Int, total: Int, valueSize: Int) async throws -> Result {
        let clientCount = max(1, clients)
        var connections: [EtcdClient] = []
        for _ in 0..<clientCount { connections.append(try EtcdClient(endpoints: endpoints)) }
        defer { for c in connections { c.close() } }
        let value = [UInt8](repeating: UInt8(ascii: "x"), count: valueSize)
        let start = ContinuousClock.now
        let results = await withTaskGroup(of: ([Double], Int, String?).self) { group in
            for (i, client) in connections.enumerated() {
                let share = total / clientCount + (i < total % clientCount ? 1 : 0)
                group.addTask {
                    var latencies: [Double] = []
                    latencies.reserveCapacity(share)
                    var errors = 0
                    var firstError: String?
                    for n in 0..<share {
                        let key = Array("/bench-put/\(i)/\(n)/\(UInt32.random(in: 0...UInt32.max))".utf8)
                        let t0 = ContinuousClock.now
                        do {
                            _ = try await client.put(PutRequest(key: key, value: value))
                            let d = ContinuousClock.now - t0
                            latencies.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
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
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Result(seconds: seconds, latenciesMs: results.0, errors: results.1, firstError: results.2)
    }

    /// For the CLI: runs, prints the line, returns the exit status (1 if any put failed).
    public static func runBlocking(endpoints: [String], clients: Int, total: Int, valueSize: Int) -> Int32 {
        let outcome = Mutex<Swift.Result<Result, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let r: Swift.Result<Result, any Error>
            do { r = .success(try await run(endpoints: endpoints, clients: clients, total: total, valueSize: valueSize)) } catch {
                r = .failure(error)
            }
            outcome.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        switch outcome.withLock({ $0 }) {
        case .success(let r)?:
            let line = "clients=\(clients) total=\(total) ok=\(r.latenciesMs.count) errors=\(r.errors) "
                + "seconds=\(format(r.seconds)) writes_per_sec=\(format(r.writesPerSecond)) "
                + "p50_ms=\(format(r.percentile(0.5))) p99_ms=\(format(r.percentile(0.99)))"
            print(line)
            if let e = r.firstError { writeStandardError("first error: \(e)\n") }
            return r.errors == 0 ? 0 : 1
        case .failure(let e)?:
            writeStandardError("bench-put: \(e)\n")
            return 1
        case nil:
            return 1
        }
    }

    static func format(_ x: Double) -> String {
        let scaled = (x * 100).rounded() / 100
        return "\(scaled)"
    }
}
