/// One file write the imperative shell will perform. Plans are pure so tests can assert
/// exactly which files get which content, and the managers only execute them.
public struct CgroupWrite: Sendable, Equatable, CustomStringConvertible {
    /// The v1 controller whose hierarchy holds the file ("memory", "cpu"); nil for a file of
    /// the unified hierarchy.
    public var controller: String?
    public var file: String
    public var value: String
    /// The kernel may reject this value with EINVAL because of a sibling knob that a later
    /// write changes (v1 CFS period vs. quota); the shell retries it once after the rest.
    public var retryLastOnEINVAL: Bool
    /// A write that only restates the default may be skipped if the kernel lacks the file
    /// (swap accounting disabled).
    public var skipIfMissing: Bool

    public init(controller: String? = nil, file: String, value: String,
                retryLastOnEINVAL: Bool = false, skipIfMissing: Bool = false) {
        self.controller = controller
        self.file = file
        self.value = value
        self.retryLastOnEINVAL = retryLastOnEINVAL
        self.skipIfMissing = skipIfMissing
    }

    public var description: String {
        (controller.map { "\($0):" } ?? "") + "\(file)=\(value)"
    }
}

/// Writes for the unified hierarchy (pure v2). Devices are not files on v2; see `DeviceFilterProgram`.
public enum CgroupV2Plan {
    public static func writes(for r: CgroupResources) throws -> [CgroupWrite] {
        var out: [CgroupWrite] = []
        if let shares = r.cpuShares, let weight = CgroupConversions.cpuWeight(fromShares: shares) {
            out.append(CgroupWrite(file: "cpu.weight", value: String(weight)))
        }
        if let max = CgroupConversions.cpuMax(quota: r.cpuQuota, period: r.cpuPeriod) {
            out.append(CgroupWrite(file: "cpu.max", value: max))
        }
        if let cpus = r.cpusetCpus { out.append(CgroupWrite(file: "cpuset.cpus", value: cpus)) }
        if let mems = r.cpusetMems { out.append(CgroupWrite(file: "cpuset.mems", value: mems)) }
        if let reservation = r.memoryReservation {
            // v1 used -1 for "no soft limit"; the v2 equivalent is no protection (0), not "max",
            // which would shield the whole cgroup from reclaim.
            out.append(CgroupWrite(file: "memory.low", value: reservation < 0 ? "0" : String(reservation)))
        }
        if let limit = r.memoryLimit {
            out.append(CgroupWrite(file: "memory.max", value: CgroupConversions.bytesOrMax(limit)))
        }
        if let swap = try CgroupConversions.swapMax(memorySwap: r.memorySwap, memoryLimit: r.memoryLimit) {
            // Unlimited swap is the kernel default, so a host without swap accounting is fine.
            out.append(CgroupWrite(file: "memory.swap.max", value: swap, skipIfMissing: swap == "max"))
        }
        if let pids = r.pidsLimit {
            out.append(CgroupWrite(file: "pids.max", value: CgroupConversions.pidsMax(pids)))
        }
        out += try unifiedWrites(r.unified)
        return out
    }

    /// Raw writes are sorted for a deterministic order and confined to plain file names, so a
    /// key such as "../cgroup.procs" cannot reach outside the container's cgroup.
    static func unifiedWrites(_ unified: [String: String]) throws -> [CgroupWrite] {
        try unified.keys.sorted().map { key in
            guard !key.isEmpty, !key.contains("/"), !key.hasPrefix("."), key.contains("."),
                  let value = unified[key] else {
                throw CgroupError(cgroup: nil, step: "unified key \"\(key)\"",
                                  reason: .invalidResources("not a cgroup file name"))
            }
            return CgroupWrite(file: key, value: value)
        }
    }
}

/// Writes for v1 hierarchies. Unified entries come out with `controller == nil`; the v1
/// manager sends them to the unified side mount in hybrid mode and rejects them otherwise.
public enum CgroupV1Plan {
    /// `currentMemoryLimit` is the cgroup's present memory.limit_in_bytes (nil when unknown or
    /// new); it decides whether memory or memory+swap must be written first.
    public static func writes(for r: CgroupResources, currentMemoryLimit: Int64? = nil) throws -> [CgroupWrite] {
        var out: [CgroupWrite] = []
        if let shares = r.cpuShares, shares > 0 {
            out.append(CgroupWrite(controller: "cpu", file: "cpu.shares", value: String(shares)))
        }
        if let period = r.cpuPeriod, period > 0 {
            out.append(CgroupWrite(controller: "cpu", file: "cpu.cfs_period_us", value: String(period),
                                   retryLastOnEINVAL: true))
        }
        if let quota = r.cpuQuota {
            out.append(CgroupWrite(controller: "cpu", file: "cpu.cfs_quota_us", value: quota > 0 ? String(quota) : "-1"))
        }
        if let cpus = r.cpusetCpus { out.append(CgroupWrite(controller: "cpuset", file: "cpuset.cpus", value: cpus)) }
        if let mems = r.cpusetMems { out.append(CgroupWrite(controller: "cpuset", file: "cpuset.mems", value: mems)) }
        if let reservation = r.memoryReservation {
            out.append(CgroupWrite(controller: "memory", file: "memory.soft_limit_in_bytes",
                                   value: reservation < 0 ? "-1" : String(reservation)))
        }
        out += try memoryWrites(limit: r.memoryLimit, swap: r.memorySwap, currentLimit: currentMemoryLimit)
        if let pids = r.pidsLimit {
            out.append(CgroupWrite(controller: "pids", file: "pids.max", value: CgroupConversions.pidsMax(pids)))
        }
        if let rules = r.devices {
            out += deviceWrites(rules)
        }
        out += try CgroupV2Plan.unifiedWrites(r.unified)
        return out
    }

    /// The kernel requires memory ≤ memory+swap at every instant, so the order of the two
    /// writes depends on whether the limits grow or shrink.
    static func memoryWrites(limit: Int64?, swap rawSwap: Int64?, currentLimit: Int64?) throws -> [CgroupWrite] {
        var swap = rawSwap == 0 ? nil : rawSwap
        if let limit, limit < 0, swap == nil { swap = -1 }
        if let limit, let swap, limit > 0, swap > 0, swap < limit {
            throw CgroupError(cgroup: nil, step: "convert memory.swap",
                              reason: .invalidResources("memory+swap limit \(swap) is below memory limit \(limit)"))
        }
        let memoryWrite = limit.map {
            CgroupWrite(controller: "memory", file: "memory.limit_in_bytes", value: $0 < 0 ? "-1" : String($0))
        }
        let swapWrite = swap.map {
            CgroupWrite(controller: "memory", file: "memory.memsw.limit_in_bytes", value: $0 < 0 ? "-1" : String($0),
                        skipIfMissing: $0 < 0)
        }
        switch (memoryWrite, swapWrite) {
        case let (m?, s?):
            // Swap first when it becomes unlimited or grows past the current memory limit.
            var growing = false
            if let swap {
                if swap < 0 {
                    growing = true
                } else if let current = currentLimit, current >= 0, current < swap {
                    growing = true
                }
            }
            return growing ? [s, m] : [m, s]
        case let (m?, nil): return [m]
        case let (nil, s?): return [s]
        case (nil, nil): return []
        }
    }

    /// Start from deny-all so rules are exceptions on a closed list, then apply them in order.
    /// A rule for "all types" with specific numbers or partial access has no v1 spelling
    /// ("a" always means everything), so it becomes one rule per type.
    public static func deviceWrites(_ rules: [DeviceRule]) -> [CgroupWrite] {
        var out = [CgroupWrite(controller: "devices", file: "devices.deny", value: "a")]
        for rule in rules {
            let file = rule.allow ? "devices.allow" : "devices.deny"
            if rule.kind == .all && !rule.isFullWildcard {
                for kind in [DeviceRule.Kind.char, .block] {
                    var split = rule
                    split.kind = kind
                    out.append(CgroupWrite(controller: "devices", file: file, value: split.description))
                }
            } else {
                out.append(CgroupWrite(controller: "devices", file: file, value: rule.description))
            }
        }
        return out
    }
}
