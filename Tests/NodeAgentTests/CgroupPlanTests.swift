import Testing
@testable import NodeAgent

@Suite("Cgroup write plans")
struct CgroupPlanTests {
    static let mib: Int64 = 1 << 20

    static let full = CgroupResources(
        memoryLimit: 64 * mib, memoryReservation: 32 * mib, memorySwap: 128 * mib,
        cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000,
        cpusetCpus: "0-1", cpusetMems: "0", pidsLimit: 32,
        unified: ["memory.high": "100M", "cgroup.max.descendants": "4"])

    @Test func v2Plan() throws {
        let writes = try CgroupV2Plan.writes(for: Self.full).map(\.description)
        #expect(writes == [
            "cpu.weight=20", "cpu.max=50000 100000", "cpuset.cpus=0-1", "cpuset.mems=0",
            "memory.low=33554432", "memory.max=67108864", "memory.swap.max=67108864", "pids.max=32",
            "cgroup.max.descendants=4", "memory.high=100M",
        ])
    }

    @Test func v2Unlimited() throws {
        let r = CgroupResources(memoryLimit: -1, memoryReservation: -1, cpuQuota: -1, pidsLimit: -1)
        let writes = try CgroupV2Plan.writes(for: r).map(\.description)
        #expect(writes == ["cpu.max=max", "memory.low=0", "memory.max=max", "memory.swap.max=max", "pids.max=max"])
    }

    @Test func emptyResourcesWriteNothing() throws {
        #expect(try CgroupV2Plan.writes(for: CgroupResources()).isEmpty)
        #expect(try CgroupV1Plan.writes(for: CgroupResources()).isEmpty)
    }

    @Test func unifiedKeysMustBePlainFileNames() {
        for key in ["../cgroup.procs", "memory", ".hidden", "a/b.c", ""] {
            #expect(throws: CgroupError.self) { try CgroupV2Plan.writes(for: CgroupResources(unified: [key: "1"])) }
        }
    }

    @Test func v1Plan() throws {
        let writes = try CgroupV1Plan.writes(for: Self.full).map(\.description)
        #expect(writes == [
            "cpu:cpu.shares=512", "cpu:cpu.cfs_period_us=100000", "cpu:cpu.cfs_quota_us=50000",
            "cpuset:cpuset.cpus=0-1", "cpuset:cpuset.mems=0",
            "memory:memory.soft_limit_in_bytes=33554432",
            "memory:memory.limit_in_bytes=67108864", "memory:memory.memsw.limit_in_bytes=134217728",
            "pids:pids.max=32",
            "cgroup.max.descendants=4", "memory.high=100M",
        ])
    }

    /// Growing both limits must raise memory+swap first, or the kernel rejects memory > memsw.
    @Test func v1MemoryOrderDependsOnCurrentLimit() throws {
        let r = CgroupResources(memoryLimit: 128 * Self.mib, memorySwap: 256 * Self.mib)
        let growing = try CgroupV1Plan.writes(for: r, currentMemoryLimit: 64 * Self.mib).map(\.file)
        #expect(growing == ["memory.memsw.limit_in_bytes", "memory.limit_in_bytes"])
        let shrinking = try CgroupV1Plan.writes(for: r, currentMemoryLimit: 512 * Self.mib).map(\.file)
        #expect(shrinking == ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"])
        let unlimited = try CgroupV1Plan.writes(for: CgroupResources(memoryLimit: -1)).map(\.description)
        #expect(unlimited == ["memory:memory.memsw.limit_in_bytes=-1", "memory:memory.limit_in_bytes=-1"])
        #expect(throws: CgroupError.self) {
            try CgroupV1Plan.writes(for: CgroupResources(memoryLimit: 64 * Self.mib, memorySwap: 32 * Self.mib))
        }
    }

    @Test func v1PeriodIsRetriedAfterQuota() throws {
        let writes = try CgroupV1Plan.writes(for: CgroupResources(cpuQuota: -1, cpuPeriod: 20_000))
        #expect(writes.map(\.description) == ["cpu:cpu.cfs_period_us=20000", "cpu:cpu.cfs_quota_us=-1"])
        #expect(writes[0].retryLastOnEINVAL)
    }

    @Test func v1Devices() {
        let writes = CgroupV1Plan.deviceWrites(DeviceRule.defaultRules).map(\.description)
        #expect(writes.prefix(5) == [
            "devices:devices.deny=a", "devices:devices.deny=a",
            "devices:devices.allow=c *:* m", "devices:devices.allow=b *:* m", "devices:devices.allow=c 1:3 rwm",
        ])
        #expect(writes.contains("devices:devices.allow=c 136:* rwm"))
        #expect(writes.count == 1 + DeviceRule.defaultRules.count)
        // "a" in v1 always means everything, so a partial all-types rule is split per type.
        let split = CgroupV1Plan.deviceWrites([DeviceRule(allow: false, kind: .all, major: 8, access: .write)])
        #expect(split.map(\.description) == ["devices:devices.deny=a", "devices:devices.deny=c 8:* w", "devices:devices.deny=b 8:* w"])
    }
}
