/// Pure translations between OCI/v1 units and the values cgroup files accept.
public enum CgroupConversions {
    /// v1 `cpu.shares` (2...262144) to v2 `cpu.weight` (1...10000), the linear map runc and
    /// crun use so that the same pod spec yields the same ratios on either version.
    /// 0 means "not set" and maps to nil.
    public static func cpuWeight(fromShares shares: UInt64) -> UInt64? {
        guard shares != 0 else { return nil }
        // Clamping keeps 1 (below the v1 minimum) from underflowing the subtraction.
        let clamped = min(max(shares, 2), 262_144)
        return 1 + ((clamped - 2) * 9_999) / 262_142
    }

    /// v2 `memory.swap.max` from OCI's memory+swap total. v2 limits swap on its own, so the
    /// value is total − memory. Returns nil when nothing needs writing.
    public static func swapMax(memorySwap: Int64?, memoryLimit: Int64?) throws -> String? {
        // OCI tools use 0 as "unset"; treat it like nil.
        let swap = memorySwap == 0 ? nil : memorySwap
        guard let swap else {
            // Unlimited memory with swap left unset means "unlimited everything", as on v1.
            if let limit = memoryLimit, limit < 0 { return "max" }
            return nil
        }
        if swap < 0 { return "max" }
        guard let limit = memoryLimit, limit > 0 else {
            throw CgroupError(cgroup: nil, step: "convert memory.swap",
                              reason: .invalidResources("a memory+swap limit needs a memory limit"))
        }
        guard swap >= limit else {
            throw CgroupError(cgroup: nil, step: "convert memory.swap",
                              reason: .invalidResources("memory+swap limit \(swap) is below memory limit \(limit)"))
        }
        return String(swap - limit)
    }

    /// v2 byte limits: negative means unlimited ("max").
    public static func bytesOrMax(_ value: Int64) -> String {
        value < 0 ? "max" : String(value)
    }

    /// v2 `cpu.max`: "quota period" or "max period"; the period is omitted when not given so
    /// the kernel keeps its current one. nil when neither is set.
    public static func cpuMax(quota: Int64?, period: UInt64?) -> String? {
        guard quota != nil || period != nil else { return nil }
        var value = "max"
        if let quota, quota > 0 { value = String(quota) }
        if let period, period > 0 { value += " \(period)" }
        return value
    }

    /// `pids.max` on both versions: 0 and negative mean unlimited.
    public static func pidsMax(_ limit: Int64) -> String {
        limit > 0 ? String(limit) : "max"
    }
}
