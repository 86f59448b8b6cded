import Foundation
import Testing
@testable import NodeAgent

@Suite("Limits", .serialized)
struct LimitsTests {
    @Test("a process over its memory limit is OOM-killed and reported so")
    func memoryLimit() throws {
        let box = try Sandbox("mem")
        defer { box.cleanUp() }
        var spec = box.spec(["sysprobe", "alloc", "256"])
        spec.linux?.resources?.memory = Spec.Memory(limit: 32 << 20, swap: 32 << 20)
        let (exit, out) = try box.run(spec)
        #expect(exit.signal == 9, "\(exit) \(out)")
        #expect(exit.code == 137)
        #expect(exit.oomKilled, "\(exit)")
        #expect(!out.contains("alloc: ok"))
    }

    @Test("the same program under a generous limit is not OOM-killed")
    func memoryLimitNotHit() throws {
        let box = try Sandbox("mem")
        defer { box.cleanUp() }
        var spec = box.spec(["sysprobe", "alloc", "16"])
        spec.linux?.resources?.memory = Spec.Memory(limit: 128 << 20)
        let (exit, out) = try box.run(spec)
        #expect(exit.code == 0 && !exit.oomKilled, "\(exit) \(out)")
        #expect(out.contains("alloc: ok"))
    }

    @Test("a fork loop stops at the pids limit")
    func pidsLimit() throws {
        let box = try Sandbox("pids")
        defer { box.cleanUp() }
        var spec = box.spec(["sysprobe", "fork", "100"])
        spec.linux?.resources?.pids = Spec.Pids(limit: 16)
        let (exit, out) = try box.run(spec)
        #expect(exit.code == 0, "\(out)")
        // init itself counts: at most 15 children, and the next fork is refused with EAGAIN.
        let started = out.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? -1
        #expect(started >= 1 && started <= 15, "\(out)")
        #expect(out.contains("EAGAIN"), "\(out)")
    }

    @Test("the CPU quota and period reach the cgroup")
    func cpuQuota() throws {
        let box = try Sandbox("cpu")
        defer { box.cleanUp() }
        var spec = box.spec(["sleep", "30"])
        spec.linux?.resources?.cpu = Spec.CPU(shares: 512, quota: 50_000, period: 100_000)
        let b = try box.bundle(spec, id: "cpu")
        try box.runtime.create(id: "cpu", bundle: b)
        let state = try box.runtime.state(id: "cpu")
        let layout = box.runtime.cgroupLayout
        if layout.mode == .unified, let root = layout.unifiedMount {
            let max = try String(contentsOfFile: root + state.cgroupPath + "/cpu.max", encoding: .utf8)
            #expect(max.trimmingCharacters(in: .whitespacesAndNewlines) == "50000 100000")
        } else {
            let cpu = try #require(layout.v1Hierarchy(for: "cpu")).mountPoint + state.cgroupPath
            #expect(try String(contentsOfFile: cpu + "/cpu.cfs_quota_us", encoding: .utf8).hasPrefix("50000"))
            #expect(try String(contentsOfFile: cpu + "/cpu.cfs_period_us", encoding: .utf8).hasPrefix("100000"))
            #expect(try String(contentsOfFile: cpu + "/cpu.shares", encoding: .utf8).hasPrefix("512"))
        }
        try box.runtime.delete(id: "cpu", force: true)
        #expect(box.cgroupDirectories().allSatisfy { !$0.hasSuffix("/cpu") || $0.hasSuffix(box.cgroupParent) })
    }
}
