import Foundation
import Glibc
import Testing
@testable import NodeAgent

/// Real cgroups on this host. Every test removes every cgroup it made, pass or fail.
// Runs as root like every root suite (a non-root run fails). The per-test conditions below are
// host shapes, not environments: a v1 test cannot run on a pure v2 host; all run on these machines.
@Suite("Cgroups on the real host (root)", .serialized)
struct CgroupRootTests {
    static let mib: Int64 = 1 << 20

    static var hasV1: Bool { (CgroupRootEnv.hostLayout?.v1.isEmpty == false) }

    @Test(.enabled(if: CgroupRootTests.hasV1))
    func v1LimitsProcessesKillAndDestroy() throws {
        let layout = try #require(CgroupRootEnv.hostLayout)
        try CgroupRootEnv.withTestCgroup(layout: layout) { manager, top in
            try manager.create()
            try manager.apply(CgroupResources(
                memoryLimit: 64 * Self.mib, cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000,
                cpusetCpus: "0", pidsLimit: 32, devices: DeviceRule.defaultRules))

            func file(_ controller: String, _ name: String) -> String? {
                layout.v1Hierarchy(for: controller).flatMap { CgroupRootEnv.readFile("\($0.mountPoint)/\(top)/ctr1/\(name)") }
            }
            #expect(file("memory", "memory.limit_in_bytes") == "67108864")
            #expect(file("cpu", "cpu.cfs_quota_us") == "50000")
            #expect(file("cpu", "cpu.cfs_period_us") == "100000")
            #expect(file("cpu", "cpu.shares") == "512")
            #expect(file("pids", "pids.max") == "32")
            #expect(file("cpuset", "cpuset.cpus") == "0")
            #expect(file("cpuset", "cpuset.mems") == CgroupRootEnv.readFile("\(layout.v1Hierarchy(for: "cpuset")?.mountPoint ?? "")/cpuset.mems"))
            let devices = file("devices", "devices.list") ?? ""
            #expect(devices.contains("c 1:3 rwm"))
            #expect(devices.contains("c 136:* rwm"))
            #expect(!devices.contains("a *:* rwm"))

            // Growing memory with swap exercises the memsw-first ordering against the kernel.
            try manager.apply(CgroupResources(memoryLimit: 128 * Self.mib, memorySwap: 256 * Self.mib))
            #expect(file("memory", "memory.limit_in_bytes") == "134217728")
            #expect(file("memory", "memory.memsw.limit_in_bytes") == "268435456")
            try manager.apply(CgroupResources(memoryLimit: 64 * Self.mib, memorySwap: 64 * Self.mib))
            #expect(file("memory", "memory.memsw.limit_in_bytes") == "67108864")

            let sleeper = try CgroupRootEnv.startSleep()
            defer { CgroupRootEnv.stopProcess(sleeper) }
            let pid = sleeper.processIdentifier
            try manager.addProcess(pid)
            #expect(try manager.pids() == [pid])
            // Every hierarchy, named and unified included, tracks the process.
            let membership = CgroupRootEnv.readFile("/proc/\(pid)/cgroup") ?? ""
            let lines = membership.split(separator: "\n")
            #expect(lines.count >= layout.v1.count)
            for line in lines {
                #expect(line.hasSuffix(":/\(top)/ctr1"), "\(line)")
            }
            let stats = try manager.stats()
            #expect(stats.pidsCurrent == 1)
            #expect(stats.pids == [pid])
            // v1 leaves a moved task's existing charges behind, so usage may be 0.
            #expect(stats.memoryUsage != nil)
            #expect(stats.memoryLimit == 67_108_864)
            #expect(try manager.oomKillCount() == 0)

            try manager.killAll(timeout: .seconds(3))
            #expect(try manager.pids().isEmpty)
            #expect(CgroupRootEnv.waitForExit(sleeper))

            try manager.destroy(removeCreatedParents: true, timeout: .seconds(2))
            for mount in layout.v1.map(\.mountPoint) + [layout.unifiedMount].compactMap({ $0 }) {
                #expect(!FileManager.default.fileExists(atPath: "\(mount)/\(top)"), "\(mount)")
            }
        }
    }

    /// Legacy view of the same host: no unified mount, so killing goes through the v1 freezer.
    @Test(.enabled(if: CgroupRootTests.hasV1))
    func v1FreezerKillPath() throws {
        var layout = try #require(CgroupRootEnv.hostLayout)
        layout.mode = .legacy
        layout.unifiedMount = nil
        try CgroupRootEnv.withTestCgroup(layout: layout) { manager, _ in
            try manager.create()
            #expect(manager.spawnTargets.cloneIntoCgroup == nil)
            let a = try CgroupRootEnv.startSleep(), b = try CgroupRootEnv.startSleep()
            defer { CgroupRootEnv.stopProcess(a); CgroupRootEnv.stopProcess(b) }
            try manager.addProcess(a.processIdentifier)
            try manager.addProcess(b.processIdentifier)
            #expect(try manager.pids() == [a.processIdentifier, b.processIdentifier].sorted())

            try manager.freeze()
            try manager.thaw()
            // SIGKILL, not SIGTERM: Foundation's Process passes on the test thread's blocked
            // signal mask, so a child of the test runner never sees SIGTERM.
            try manager.signalAll(SIGKILL)
            let exitedA = CgroupRootEnv.waitForExit(a), exitedB = CgroupRootEnv.waitForExit(b)
            #expect(exitedA && exitedB)
            if exitedA {
                #expect(a.terminationReason == .uncaughtSignal && a.terminationStatus == SIGKILL)
            }

            let c = try CgroupRootEnv.startSleep()
            defer { CgroupRootEnv.stopProcess(c) }
            try manager.addProcess(c.processIdentifier)
            try manager.killAll(timeout: .seconds(3))
            #expect(try manager.pids().isEmpty)
            #expect(CgroupRootEnv.waitForExit(c))
            try manager.destroy(removeCreatedParents: true, timeout: .seconds(2))
        }
    }

    @Test(.enabled(if: CgroupRootEnv.hostUnifiedLayout != nil))
    func v2CreateAddKillDestroy() throws {
        let layout = try #require(CgroupRootEnv.hostUnifiedLayout)
        let mount = try #require(layout.unifiedMount)
        try CgroupRootEnv.withTestCgroup(layout: layout) { manager, top in
            let v2 = try #require(manager as? CgroupV2Manager)
            try manager.create()
            #expect(v2.directory == "\(mount)/\(top)/ctr1")
            #expect(manager.spawnTargets.cloneIntoCgroup == v2.directory)
            #expect(manager.spawnTargets.procsFilesOutsideClone.isEmpty)

            let sleeper = try CgroupRootEnv.startSleep()
            defer { CgroupRootEnv.stopProcess(sleeper) }
            try manager.addProcess(sleeper.processIdentifier)
            #expect(try manager.pids() == [sleeper.processIdentifier])
            #expect(CgroupRootEnv.readFile("\(v2.directory)/cgroup.events")?.contains("populated 1") == true)

            #expect(v2.hasKernelKill, "kernel ≥ 5.14 offers cgroup.kill")
            try manager.killAll(timeout: .seconds(3))
            #expect(try manager.pids().isEmpty)
            let exited = CgroupRootEnv.waitForExit(sleeper)
            #expect(exited)
            if exited { #expect(sleeper.terminationStatus == SIGKILL) }

            try manager.destroy(removeCreatedParents: true, timeout: .seconds(2))
            #expect(!FileManager.default.fileExists(atPath: "\(mount)/\(top)"))
        }
    }

    /// Attaches the eBPF device filter to a cgroup2 directory and checks the kernel enforces it.
    @Test(.enabled(if: CgroupRootEnv.hostUnifiedLayout != nil))
    func v2DeviceFilterIsEnforced() throws {
        let layout = try #require(CgroupRootEnv.hostUnifiedLayout)
        try CgroupRootEnv.withTestCgroup(layout: layout) { manager, _ in
            let v2 = try #require(manager as? CgroupV2Manager)
            try manager.create()
            let rules = [DeviceRule(allow: false, kind: .all), DeviceRule(allow: true, kind: .char, major: 1, minor: 3)]
            try manager.apply(CgroupResources(devices: rules))
            #expect(try CgroupDeviceBPF.attachedCount(directory: v2.directory, files: v2.files) == 1)
            // An update replaces the program instead of stacking another one.
            try manager.apply(CgroupResources(devices: rules))
            #expect(try CgroupDeviceBPF.attachedCount(directory: v2.directory, files: v2.files) == 1)

            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", """
                read go
                if head -c1 /dev/zero >/dev/null 2>&1; then echo zero-ok; else echo zero-denied; fi
                if echo x >/dev/null; then echo null-ok; else echo null-denied; fi
                """]
            let input = Pipe(), output = Pipe()
            shell.standardInput = input
            shell.standardOutput = output
            shell.standardError = FileHandle.nullDevice
            try shell.run()
            defer { CgroupRootEnv.stopProcess(shell) }
            // The shell blocks on `read` until it is inside the cgroup.
            try manager.addProcess(shell.processIdentifier)
            input.fileHandleForWriting.write(Data("go\n".utf8))
            #expect(CgroupRootEnv.waitForExit(shell))
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(text == "zero-denied\nnull-ok\n")
            try manager.destroy(removeCreatedParents: true, timeout: .seconds(2))
        }
    }

    @Test func destroyOfBusyCgroupReportsClearly() throws {
        let layout = try #require(CgroupRootEnv.hostUnifiedLayout ?? CgroupRootEnv.hostLayout)
        try CgroupRootEnv.withTestCgroup(layout: layout) { manager, _ in
            try manager.create()
            let sleeper = try CgroupRootEnv.startSleep()
            defer { CgroupRootEnv.stopProcess(sleeper) }
            try manager.addProcess(sleeper.processIdentifier)
            do {
                try manager.destroy(removeCreatedParents: false, timeout: .milliseconds(50))
                Issue.record("destroy of a populated cgroup should fail")
            } catch let error as CgroupError {
                #expect(error.errno == EBUSY)
                #expect(error.description.hasPrefix("cgroup \(manager.path): rmdir /sys/fs/cgroup/"))
                #expect(error.description.hasSuffix(": Device or resource busy"))
            }
        }
    }

    /// Hybrid: a process the spawn path put only into the v1 hierarchies is not seen by the
    /// unified cgroup.kill; killAll must still get it.
    @Test(.enabled(if: CgroupRootEnv.hostLayout?.mode == .hybrid))
    func hybridKillFindsProcessesOutsideUnified() throws {
        let layout = try #require(CgroupRootEnv.hostLayout)
        try CgroupRootEnv.withTestCgroup(layout: layout) { manager, _ in
            try manager.create()
            let sleeper = try CgroupRootEnv.startSleep()
            defer { CgroupRootEnv.stopProcess(sleeper) }
            for file in manager.spawnTargets.procsFilesOutsideClone {
                try String(sleeper.processIdentifier).write(toFile: file, atomically: false, encoding: .utf8)
            }
            #expect(try manager.pids() == [sleeper.processIdentifier])
            try manager.killAll(timeout: .seconds(3))
            #expect(try manager.pids().isEmpty)
            #expect(CgroupRootEnv.waitForExit(sleeper))
        }
    }

    /// A process that outgrows its memory limit is OOM-killed, and the counter says so: the
    /// runtime uses it to report an exit as OOMKilled.
    @Test func oomKillIsCounted() throws {
        let layout = try #require(CgroupRootEnv.hostLayout)
        try CgroupRootEnv.withTestCgroup(layout: layout) { manager, _ in
            try manager.create()
            try manager.apply(CgroupResources(memoryLimit: 16 * Self.mib, memorySwap: 16 * Self.mib))
            #expect(try manager.oomKillCount() == 0)
            // `tail` keeps the current line in memory, and /dev/zero never ends one.
            let hog = Process()
            hog.executableURL = URL(fileURLWithPath: "/bin/sh")
            hog.arguments = ["-c", "read go; exec tail /dev/zero"]
            let input = Pipe()
            hog.standardInput = input
            hog.standardOutput = FileHandle.nullDevice
            hog.standardError = FileHandle.nullDevice
            try hog.run()
            defer { CgroupRootEnv.stopProcess(hog) }
            try manager.addProcess(hog.processIdentifier)
            input.fileHandleForWriting.write(Data("go\n".utf8))
            let exited = CgroupRootEnv.waitForExit(hog, timeout: 10)
            #expect(exited)
            if exited { #expect(hog.terminationReason == .uncaughtSignal && hog.terminationStatus == SIGKILL) }
            #expect(try manager.oomKillCount() == 1)
            #expect(try manager.stats().oomKillCount == 1)
        }
    }

    /// The wrapper every test uses must clean up even when the body fails midway.
    @Test func cleanupRunsWhenTheBodyFails() throws {
        struct Boom: Error {}
        let layout = try #require(CgroupRootEnv.hostLayout)
        var madeTop = ""
        var pid: Int32 = 0
        #expect(throws: Boom.self) {
            try CgroupRootEnv.withTestCgroup(layout: layout) { manager, top in
                madeTop = top
                try manager.create()
                let sleeper = try CgroupRootEnv.startSleep()
                pid = sleeper.processIdentifier
                try manager.addProcess(pid)
                throw Boom()
            }
        }
        #expect(!madeTop.isEmpty)
        for mount in layout.v1.map(\.mountPoint) + [layout.unifiedMount].compactMap({ $0 }) {
            #expect(!FileManager.default.fileExists(atPath: "\(mount)/\(madeTop)"), "\(mount)")
        }
        #expect(kill(pid, 0) != 0 || CgroupRootEnv.readFile("/proc/\(pid)/stat")?.contains(") Z") == true)
    }

    @Test func hostFeatures() throws {
        let layout = try #require(CgroupRootEnv.hostLayout)
        let json = layout.description
        #expect(json.contains("\"mode\":\"\(layout.mode.rawValue)\""))
        print("cgroup features: \(json)")
    }
}
