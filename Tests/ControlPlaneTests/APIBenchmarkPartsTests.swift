@testable import ControlPlane
import Testing

@Suite("API benchmark pure parts")
struct APIBenchmarkPartsTests {
    @Test("Nearest-rank percentiles")
    func percentiles() {
        let samples = (1...100).map(Double.init).shuffled()
        let s = LatencySummary(samples)
        #expect(s.count == 100)
        #expect(s.p50 == 50)
        #expect(s.p99 == 99)
        #expect(s.max == 100)
        #expect(LatencySummary([7]).p99 == 7)
        #expect(LatencySummary([]).p50 == 0)
        // 10 samples: p99 is the largest (rank ceil(9.9) = 10), p50 the 5th.
        let ten = LatencySummary([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])
        #expect(ten.p50 == 5)
        #expect(ten.p99 == 10)
    }

    @Test("A bench pod is a JSON pod whose annotations read back from an event's bytes")
    func podStamp() throws {
        let pod = BenchPod.json(name: "bench-7", namespace: "ns", sequence: 7, sentNanos: 123_456_789_012)
        let event = Array(#"{"type":"ADDED","object":"#.utf8) + pod + Array("}\n".utf8)
        let stamp = try #require(BenchPod.stamp(in: event))
        #expect(stamp.sequence == 7)
        #expect(stamp.sentNanos == 123_456_789_012)
        #expect(BenchPod.stamp(in: Array(#"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"5"}}}"#.utf8)) == nil)
        #expect(BenchPod.stamp(in: Array(#"{"bench.swiftlet.dev/seq":"x1","bench.swiftlet.dev/sent-ns":"2"}"#.utf8)) == nil)
        #expect(BenchPod.stamp(in: Array(#"{"bench.swiftlet.dev/seq":"99999999999999999999999","bench.swiftlet.dev/sent-ns":"2"}"#.utf8)) == nil)
    }

    @Test("VmRSS and VmHWM from /proc/<pid>/status text")
    func memory() {
        let text = "Name:\tswiftlet\nVmPeak:\t  900000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   80000 kB\nThreads:\t4\n"
        #expect(ProcessMemory(statusText: text) == ProcessMemory(rssKiB: 80000, peakKiB: 81234))
        #expect(ProcessMemory(statusText: "Name:\tx\n") == nil)
    }

    @Test("The verdict table: each target passes or fails on its own")
    func verdict() {
        let creates = APIBenchReport.Creates(clients: 50, requested: 1000, errors: 0, firstError: nil, seconds: 0.5,
                                             latency: LatencySummary((1...1000).map { Double($0) / 20 }))
        var report = APIBenchReport(creates: creates, watch: nil,
                                    memoryAfterCreates: ProcessMemory(rssKiB: 100_000, peakKiB: 100_000), memoryAtEnd: nil)
        #expect(report.rows.map(\.pass) == [true, true, true, true])
        #expect(report.passed)
        report.memoryAfterCreates = ProcessMemory(rssKiB: 300_000, peakKiB: 300_000)
        report.watch = APIBenchReport.Watch(watchers: 2, events: 3, completeWatchers: 1, errors: 0, firstError: nil,
                                            delivery: LatencySummary([1, 2, 3]), writes: LatencySummary([1]))
        #expect(report.rows.map(\.pass) == [true, true, true, true, false, false])
        #expect(!report.passed)
        #expect(report.render().contains("API server benchmark: FAIL"))
    }
}
