/// Per-item exponential back-off (client-go's ItemExponentialFailureRateLimiter): the n-th retry of an
/// item waits base·2ⁿ, capped at max, until the item is forgotten.
public struct ExponentialBackoff<Item: Hashable & Sendable>: Sendable {
    public var base: Duration
    public var max: Duration
    private var failures: [Item: Int] = [:]

    public init(base: Duration = .milliseconds(5), max: Duration = .seconds(1000)) {
        self.base = base
        self.max = max
    }

    /// The delay before the next retry of `item`, counting this failure.
    public mutating func when(_ item: Item) -> Duration {
        let n = failures[item, default: 0]
        failures[item] = n + 1
        // 2^n overflows long before the cap matters; past 2^40·base we are at max anyway.
        guard n < 40 else { return max }
        let delay = base * (1 << n)
        return delay > max ? max : delay
    }

    public mutating func forget(_ item: Item) { failures[item] = nil }

    public func retries(_ item: Item) -> Int { failures[item, default: 0] }
}
