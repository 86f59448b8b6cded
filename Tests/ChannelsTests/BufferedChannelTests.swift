import Channels
import Synchronization
import Testing

struct Boom: Error, Equatable {}

@Suite("BufferedChannel")
struct BufferedChannelTests {
    @Test("elements sent before the consumer arrives come out in order, then the end")
    func bufferedInOrder() async {
        let ch = BufferedChannel<Int, Never>()
        for i in 0..<100 { #expect(ch.send(i) == .enqueued) }
        ch.finish()
        var got: [Int] = []
        for await i in ch { got.append(i) }
        #expect(got == Array(0..<100))
        #expect(ch.send(1) == .terminated)
    }

    @Test("a waiting consumer is handed the element")
    func waitingConsumer() async {
        let ch = BufferedChannel<String, Never>()
        async let first = ch.next()
        // Give the consumer time to wait; the hand-off works either way.
        try? await Task.sleep(for: .milliseconds(20))
        ch.send("a")
        #expect(await first == "a")
        ch.finish()
        #expect(await ch.next() == nil)
    }

    @Test("dropNewest keeps the oldest and reports the drop")
    func dropNewest() async {
        let ch = BufferedChannel<Int, Never>(limit: .dropNewest(2))
        #expect(ch.send(1) == .enqueued)
        #expect(ch.send(2) == .enqueued)
        #expect(ch.send(3) == .dropped)
        ch.finish()
        #expect(await ch.drain() == [1, 2])
        #expect(await ch.drain() == nil)
    }

    @Test("dropOldest keeps the newest")
    func dropOldest() async {
        let ch = BufferedChannel<Int, Never>(limit: .dropOldest(1))
        for i in 0..<5 { ch.send(i) }
        #expect(ch.pendingCount == 1)
        #expect(await ch.next() == 4)
    }

    @Test("a failure comes after the buffered elements, once")
    func failureAfterBuffer() async {
        let ch = BufferedChannel<Int, Boom>()
        ch.send(1)
        ch.finish(throwing: Boom())
        #expect(try! await ch.next() == 1)
        await #expect(throws: Boom.self) { try await ch.next() }
        #expect(try! await ch.next() == nil)
    }

    @Test("a failure reaches a consumer already waiting")
    func failureToWaiter() async {
        let ch = BufferedChannel<Int, Boom>()
        let t = Task { () -> Result<Int?, Boom> in
            do throws(Boom) { return .success(try await ch.next()) } catch { return .failure(error) }
        }
        try? await Task.sleep(for: .milliseconds(20))
        ch.finish(throwing: Boom())
        let r = await t.value
        #expect(throws: Boom.self) { try r.get() }
    }

    @Test("cancelling the waiting task terminates the channel and runs onTermination once")
    func cancellation() async {
        let ch = BufferedChannel<Int, Never>()
        let ran = Mutex(0)
        ch.onTermination { ran.withLock { $0 += 1 } }
        let t = Task { await ch.next() }
        try? await Task.sleep(for: .milliseconds(20))
        t.cancel()
        #expect(await t.value == nil)
        #expect(ch.isTerminated)
        #expect(ch.send(1) == .terminated)
        ch.finish()
        ch.cancel()
        #expect(ran.withLock { $0 } == 1)
    }

    @Test("a task cancelled before it waits gets nil at once")
    func cancelledBeforeWaiting() async {
        let ch = BufferedChannel<Int, Never>()
        let t = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await ch.next()
        }
        #expect(await t.value == nil)
        #expect(ch.isTerminated)
    }

    @Test("onTermination set after the end runs at once; finish runs it with the buffer still readable")
    func lateHook() async {
        let ch = BufferedChannel<Int, Never>()
        ch.send(7)
        let ran = Mutex(false)
        ch.onTermination { ran.withLock { $0 = true } }
        ch.finish()
        #expect(ran.withLock { $0 })
        #expect(await ch.next() == 7)
        let late = Mutex(false)
        ch.onTermination { late.withLock { $0 = true } }
        #expect(late.withLock { $0 })
    }

    @Test("cancel discards the buffer and ends a waiting drain")
    func cancelDiscards() async {
        let ch = BufferedChannel<Int, Never>()
        ch.send(1)
        ch.cancel()
        #expect(await ch.next() == nil)
        let ch2 = BufferedChannel<Int, Never>()
        async let d = ch2.drain()
        try? await Task.sleep(for: .milliseconds(20))
        ch2.cancel()
        #expect(await d == nil)
    }

    @Test("many producers, one consumer: every element arrives exactly once")
    func manyProducers() async {
        let ch = BufferedChannel<Int, Never>()
        let producers = 8, each = 5_000
        let consumer = Task { () -> [Int] in
            var all: [Int] = []
            while let batch = await ch.drain() { all += batch }
            return all
        }
        await withTaskGroup(of: Void.self) { g in
            for p in 0..<producers {
                g.addTask { for i in 0..<each { ch.send(p * each + i) } }
            }
        }
        ch.finish()
        let all = await consumer.value
        #expect(all.count == producers * each)
        #expect(Set(all).count == producers * each)
    }
}
