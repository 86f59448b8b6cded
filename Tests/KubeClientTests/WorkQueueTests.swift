import KubeClient
import Synchronization
import Testing

@Suite struct WorkQueueTests {
    @Test func deduplicatesQueuedKeys() async {
        let q = WorkQueue<String>()
        q.add("a"); q.add("b"); q.add("a"); q.add("a")
        #expect(q.count == 2)
        #expect(await q.get() == "a")
        #expect(await q.get() == "b")
        #expect(q.count == 0)
    }

    @Test func aKeyInProcessingIsRequeuedOnlyWhenDone() async {
        let q = WorkQueue<String>()
        q.add("a")
        let item = await q.get()
        #expect(item == "a")
        q.add("a")
        q.add("a")
        // Not handed to a second worker while the first holds it.
        #expect(q.count == 0)
        q.done("a")
        #expect(q.count == 1)
        #expect(await q.get() == "a")
        q.done("a")
        #expect(q.count == 0)
    }

    @Test func waitingWorkerGetsANewKey() async {
        let q = WorkQueue<Int>()
        let worker = Task { await q.get() }
        try? await Task.sleep(for: .milliseconds(20))
        q.add(7)
        #expect(await worker.value == 7)
    }

    final class Tally: Sendable {
        struct State {
            var active: Set<Int> = []
            var overlaps = 0
            var processed = 0
        }
        let state = Mutex(State())
    }

    @Test func concurrentWorkersNeverShareAKey() async {
        let q = WorkQueue<Int>()
        let tally = Tally()
        for i in 0..<50 { q.add(i % 5) }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let k = await q.get() {
                        let readd = tally.state.withLock { s -> Bool in
                            if !s.active.insert(k).inserted { s.overlaps += 1 }
                            s.processed += 1
                            return s.processed < 20
                        }
                        // Re-adding while processing must not hand the key to another worker.
                        if readd { q.add(k) }
                        try? await Task.sleep(for: .milliseconds(1))
                        tally.state.withLock { _ = $0.active.remove(k) }
                        q.done(k)
                    }
                }
            }
            group.addTask {
                _ = await eventually(.seconds(20)) { tally.state.withLock { $0.processed } >= 20 }
                q.shutDown()
            }
        }
        #expect(tally.state.withLock { $0.overlaps } == 0)
        #expect(tally.state.withLock { $0.processed } >= 20)
    }

    @Test func shutDownDrainsThenReturnsNil() async {
        let q = WorkQueue<String>()
        q.add("x")
        q.shutDown()
        q.add("y")
        #expect(await q.get() == "x")
        #expect(await q.get() == nil)
        let waiter = WorkQueue<String>()
        let t = Task { await waiter.get() }
        try? await Task.sleep(for: .milliseconds(10))
        waiter.shutDown()
        #expect(await t.value == nil)
    }

    @Test func cancelledGetReturnsNil() async {
        let q = WorkQueue<String>()
        let t = Task { await q.get() }
        try? await Task.sleep(for: .milliseconds(10))
        t.cancel()
        #expect(await t.value == nil)
        q.add("z")
        #expect(q.count == 1)
    }

    @Test func exponentialBackoffPerItem() {
        var b = ExponentialBackoff<String>()
        #expect(b.when("a") == .milliseconds(5))
        #expect(b.when("a") == .milliseconds(10))
        #expect(b.when("a") == .milliseconds(20))
        #expect(b.when("b") == .milliseconds(5))
        #expect(b.retries("a") == 3)
        for _ in 0..<30 { _ = b.when("a") }
        #expect(b.when("a") == .seconds(1000))
        for _ in 0..<100 { _ = b.when("a") }
        #expect(b.when("a") == .seconds(1000))
        b.forget("a")
        #expect(b.retries("a") == 0)
        #expect(b.when("a") == .milliseconds(5))
    }

    @Test func rateLimitedAddsWaitTheirBackoff() async {
        let clock = ManualClock()
        let q = WorkQueue<String>(clock: clock)
        q.addRateLimited("k")   // 5 ms
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(4))
        #expect(q.count == 0)
        clock.advance(by: .milliseconds(1))
        #expect(await eventually { q.count == 1 })
        #expect(q.numRequeues("k") == 1)
        #expect(await q.get() == "k")
        q.done("k")
        q.addRateLimited("k")   // 10 ms
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(9))
        try? await Task.sleep(for: .milliseconds(20))
        #expect(q.count == 0)
        clock.advance(by: .milliseconds(1))
        #expect(await eventually { q.count == 1 })
        q.forget("k")
        #expect(q.numRequeues("k") == 0)
    }

    @Test func earliestDelayedAddWins() async {
        let clock = ManualClock()
        let q = WorkQueue<String>(clock: clock)
        q.addAfter("k", .seconds(10))
        q.addAfter("k", .seconds(2))
        q.addAfter("k", .seconds(5))   // later than the pending 2 s: dropped
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(2))
        #expect(await eventually { q.count == 1 })
        #expect(await q.get() == "k")
        q.done("k")
        clock.advance(by: .seconds(10))
        try? await Task.sleep(for: .milliseconds(30))
        #expect(q.count == 0)
        q.shutDown()
    }
}
