import Foundation
import Testing
@testable import NodeAgent

/// Managers run against temp trees whose plain files play the kernel's control files; a write
/// to a file the tree does not offer fails with ENOENT, so unexpected writes are caught too.
@Suite("Cgroup managers on fake hierarchies")
struct CgroupFakeHierarchyTests {
    static let mib: Int64 = 1 << 20

    // MARK: v2

    func v2Tree() throws -> (FakeCgroupTree, CgroupLayout) {
        let tree = try FakeCgroupTree()
        try tree.file("cg/cgroup.controllers", "cpuset cpu io memory hugetlb pids\n")
        try tree.file("cg/cgroup.subtree_control", "cpu io memory\n")
        try tree.file("cg/pod/cgroup.controllers", "cpu memory\n")
        try tree.file("cg/pod/cgroup.subtree_control", "")
        for file in ["cgroup.procs", "cpu.weight", "cpu.max", "cpuset.cpus", "cpuset.mems", "memory.low", "memory.max",
                     "memory.swap.max", "pids.max", "memory.high"] {
            try tree.file("cg/pod/ctr/\(file)")
        }
        try tree.file("cg/pod/ctr/memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\noom_group_kill 0\n")
        try tree.file("cg/pod/ctr/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n")
        try tree.file("cg/pod/ctr/memory.current", "123456\n")
        try tree.file("cg/pod/ctr/pids.current", "3\n")
        return (tree, CgroupLayout(mode: .unified, unifiedMount: tree.root + "/cg"))
    }

    @Test func v2CreateEnablesControllersAndApplyWritesFiles() throws {
        let (tree, layout) = try v2Tree()
        let manager = try makeCgroupManager(path: CgroupPath("/pod/ctr"), layout: layout, logger: cgroupTestLogger)
        #expect(manager is CgroupV2Manager)
        try manager.create()
        // Root: cpu, io, memory already on; cpuset and pids offered → each written alone, pids last.
        #expect(try tree.read("cg/cgroup.subtree_control") == "+pids")
        #expect(try tree.read("cg/pod/cgroup.subtree_control") == "+memory")
        #expect((manager as? CgroupV2Manager)?.createdDirectories == [])

        try manager.apply(CgroupResources(
            memoryLimit: 64 * Self.mib, memoryReservation: 32 * Self.mib, memorySwap: 96 * Self.mib,
            cpuShares: 1024, cpuQuota: 50_000, cpuPeriod: 100_000, cpusetCpus: "0", cpusetMems: "0",
            pidsLimit: 32, unified: ["memory.high": "60M"]))
        let expected = [
            "cpu.weight": "39", "cpu.max": "50000 100000", "cpuset.cpus": "0", "cpuset.mems": "0",
            "memory.low": "33554432", "memory.max": "67108864", "memory.swap.max": "33554432",
            "pids.max": "32", "memory.high": "60M",
        ]
        for (file, value) in expected {
            #expect(try tree.read("cg/pod/ctr/\(file)") == value, "\(file)")
        }

        #expect(manager.spawnTargets == CgroupSpawnTargets(
            procsFiles: [tree.root + "/cg/pod/ctr/cgroup.procs"], cloneIntoCgroup: tree.root + "/cg/pod/ctr",
            procsFilesOutsideClone: []))
        try manager.addProcess(4242)
        #expect(try tree.read("cg/pod/ctr/cgroup.procs") == "4242")
        #expect(try manager.pids() == [4242])

        #expect(try manager.oomKillCount() == 2)
        let stats = try manager.stats()
        #expect(stats.memoryUsage == 123_456)
        #expect(stats.memoryLimit == 67_108_864)
        #expect(stats.pidsCurrent == 3)
        #expect(stats.pidsLimit == 32)
        #expect(stats.cpuUsageNanos == 1_500_000)
        #expect(stats.cpuSystemNanos == 500_000)
    }

    @Test func v2MissingFileNamesStepAndCgroup() throws {
        let (tree, layout) = try v2Tree()
        try FileManager.default.removeItem(atPath: tree.root + "/cg/pod/ctr/pids.max")
        let manager = try CgroupV2Manager(path: CgroupPath("/pod/ctr"), layout: layout, logger: cgroupTestLogger)
        do {
            try manager.apply(CgroupResources(pidsLimit: 5))
            Issue.record("expected failure")
        } catch let error as CgroupError {
            #expect(error.description == "cgroup /pod/ctr: write pids.max: No such file or directory")
        }
        // Unlimited swap restates the default, so a kernel without swap accounting is fine.
        try FileManager.default.removeItem(atPath: tree.root + "/cg/pod/ctr/memory.swap.max")
        try manager.apply(CgroupResources(memoryLimit: 64 * Self.mib, memorySwap: -1))
        do {
            try manager.apply(CgroupResources(memoryLimit: 64 * Self.mib, memorySwap: 32 * Self.mib))
            Issue.record("expected failure")
        } catch let error as CgroupError {
            #expect(error.cgroup == "/pod/ctr")
            #expect(error.reason == .invalidResources("memory+swap limit 33554432 is below memory limit 67108864"))
        }
    }

    @Test func v2CreateAndDestroyOnlyWhatItCreated() throws {
        let tree = try FakeCgroupTree()
        try tree.dir("cg/existing")
        let layout = CgroupLayout(mode: .unified, unifiedMount: tree.root + "/cg")
        let manager = try CgroupV2Manager(path: CgroupPath("/existing/new/ctr"), layout: layout, logger: cgroupTestLogger)
        try manager.create()
        #expect(manager.createdDirectories == [tree.root + "/cg/existing/new", tree.root + "/cg/existing/new/ctr"])
        try tree.dir("cg/existing/new/ctr/child") // a nested cgroup made by the workload
        try manager.destroy(removeCreatedParents: true)
        #expect(!tree.exists("cg/existing/new"))
        #expect(tree.exists("cg/existing"))
    }

    // MARK: v1 / hybrid

    /// The development host's shape: separate cpu and cpuacct, named systemd, unified side mount.
    func hybridTree(precreateLeaf: Bool) throws -> (FakeCgroupTree, CgroupLayout) {
        let tree = try FakeCgroupTree()
        let names = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "pids"]
        var hierarchies = names.map { CgroupV1Hierarchy(mountPoint: tree.root + "/" + $0, controllers: [$0]) }
        hierarchies.append(CgroupV1Hierarchy(mountPoint: tree.root + "/systemd", controllers: [], name: "systemd"))
        for h in hierarchies { try tree.dir(String(h.mountPoint.dropFirst(tree.root.count + 1))) }
        try tree.dir("unified")
        try tree.file("cpuset/cpuset.cpus", "0-1\n")
        try tree.file("cpuset/cpuset.mems", "0\n")
        if precreateLeaf {
            let files = [
                "cpu": ["cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us"],
                "cpuset": ["cpuset.cpus", "cpuset.mems"],
                "memory": ["memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes"],
                "devices": ["devices.allow", "devices.deny"],
                "pids": ["pids.max"],
                "unified": ["cgroup.max.descendants"],
            ]
            try tree.file("cpuset/t/cpuset.cpus")
            try tree.file("cpuset/t/cpuset.mems")
            for dir in names + ["systemd", "unified"] {
                try tree.file("\(dir)/t/c/cgroup.procs")
                for file in files[dir] ?? [] { try tree.file("\(dir)/t/c/\(file)") }
            }
            try tree.file("memory/t/c/memory.limit_in_bytes", "9223372036854771712\n")
            try tree.file("memory/t/c/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n")
            try tree.file("memory/t/c/memory.usage_in_bytes", "4096\n")
            try tree.file("cpuacct/t/c/cpuacct.usage", "777\n")
        }
        return (tree, CgroupLayout(mode: .hybrid, v1: hierarchies, unifiedMount: tree.root + "/unified"))
    }

    @Test func v1ApplyWritesEveryController() throws {
        let (tree, layout) = try hybridTree(precreateLeaf: true)
        let manager = try makeCgroupManager(path: CgroupPath("/t/c"), layout: layout, logger: cgroupTestLogger)
        #expect(manager is CgroupV1Manager)
        try manager.create()
        // Empty cpusets inherit down the chain.
        #expect(try tree.read("cpuset/t/cpuset.cpus") == "0-1")
        #expect(try tree.read("cpuset/t/c/cpuset.mems") == "0")

        try manager.apply(CgroupResources(
            memoryLimit: 64 * Self.mib, memoryReservation: 32 * Self.mib, memorySwap: 128 * Self.mib,
            cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, cpusetCpus: "1",
            pidsLimit: 32, devices: DeviceRule.defaultRules, unified: ["cgroup.max.descendants": "8"]))
        let expected = [
            "cpu/t/c/cpu.shares": "512", "cpu/t/c/cpu.cfs_period_us": "100000", "cpu/t/c/cpu.cfs_quota_us": "50000",
            "cpuset/t/c/cpuset.cpus": "1", "cpuset/t/c/cpuset.mems": "0",
            "memory/t/c/memory.limit_in_bytes": "67108864", "memory/t/c/memory.memsw.limit_in_bytes": "134217728",
            "memory/t/c/memory.soft_limit_in_bytes": "33554432",
            "pids/t/c/pids.max": "32",
            // Only the last of several writes survives in a plain file; the plan test checks the sequence.
            "devices/t/c/devices.deny": "a", "devices/t/c/devices.allow": "c 10:200 rwm",
            "unified/t/c/cgroup.max.descendants": "8",
        ]
        for (file, value) in expected {
            #expect(try tree.read(file) == value, "\(file)")
        }
    }

    @Test func v1ProcessesAndStats() throws {
        let (tree, layout) = try hybridTree(precreateLeaf: true)
        let manager = CgroupV1Manager(path: try CgroupPath("/t/c"), layout: layout, logger: cgroupTestLogger)
        let targets = manager.spawnTargets
        #expect(targets.procsFiles.count == 9)
        #expect(targets.procsFiles.contains(tree.root + "/systemd/t/c/cgroup.procs"))
        #expect(targets.procsFiles.last == tree.root + "/unified/t/c/cgroup.procs")
        #expect(targets.cloneIntoCgroup == tree.root + "/unified/t/c")
        #expect(targets.procsFilesOutsideClone.count == 8)

        try manager.addProcess(31337)
        for file in targets.procsFiles {
            #expect(try String(contentsOfFile: file, encoding: .utf8) == "31337")
        }
        try tree.file("memory/t/c/cgroup.procs", "31337\n12\n")
        #expect(try manager.pids() == [12, 31337])

        #expect(try manager.oomKillCount() == 3)
        let stats = try manager.stats()
        #expect(stats.memoryUsage == 4096)
        #expect(stats.memoryLimit == nil)
        #expect(stats.cpuUsageNanos == 777)
        #expect(stats.oomKillCount == 3)
    }

    @Test func v1CreateEveryHierarchyAndDestroy() throws {
        let (tree, fullLayout) = try hybridTree(precreateLeaf: false)
        // Fake directories do not grow cpuset files on mkdir, so leave cpuset out here.
        var layout = fullLayout
        layout.v1.removeAll { $0.controllers == ["cpuset"] }
        try tree.dir("systemd/t")
        let manager = CgroupV1Manager(path: try CgroupPath("/t/c"), layout: layout, logger: cgroupTestLogger)
        try manager.create()
        for dir in ["cpu", "cpuacct", "memory", "devices", "freezer", "pids", "systemd", "unified"] {
            #expect(tree.exists("\(dir)/t/c"), "\(dir)")
        }
        #expect(manager.createdDirectories.count == 7 * 2 + 1)
        try manager.destroy(removeCreatedParents: true)
        for dir in ["cpu", "cpuacct", "memory", "devices", "freezer", "pids", "unified"] {
            #expect(!tree.exists("\(dir)/t"), "\(dir)")
        }
        // Not created by this manager, so kept.
        #expect(tree.exists("systemd/t"))
        #expect(!tree.exists("systemd/t/c"))
    }

    /// In a fake tree a new cpuset has no cpuset.cpus, so create fails there; everything made
    /// before the failure must be removed again.
    @Test func failedCreateRollsBack() throws {
        let (tree, layout) = try hybridTree(precreateLeaf: false)
        let manager = CgroupV1Manager(path: try CgroupPath("/t/c"), layout: layout, logger: cgroupTestLogger)
        do {
            try manager.create()
            Issue.record("expected failure")
        } catch let error as CgroupError {
            #expect(error.description == "cgroup /t/c: read cpuset.cpus: No such file or directory")
        }
        for dir in ["cpu", "cpuacct", "cpuset", "memory", "systemd", "unified"] {
            #expect(!tree.exists("\(dir)/t"), "\(dir)")
        }
        #expect(manager.createdDirectories.isEmpty)
    }

    @Test func legacyRejectsUnifiedResources() throws {
        let (_, hybrid) = try hybridTree(precreateLeaf: true)
        let legacy = CgroupLayout(mode: .legacy, v1: hybrid.v1)
        let manager = CgroupV1Manager(path: try CgroupPath("/t/c"), layout: legacy, logger: cgroupTestLogger)
        #expect(manager.spawnTargets.cloneIntoCgroup == nil)
        #expect(throws: CgroupError.self) { try manager.apply(CgroupResources(unified: ["memory.high": "1"])) }
    }
}
