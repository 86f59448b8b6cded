import Foundation
import Testing
@testable import NodeAgent

@Suite("CgroupLayout detection")
struct CgroupLayoutTests {
    /// This development host: v1 controllers, name=systemd and a cgroup2 side mount.
    static let hybridMountinfo = """
        22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """

    @Test func hybridHost() throws {
        let layout = try CgroupLayout.parse(mountinfo: Self.hybridMountinfo)
        #expect(layout.mode == .hybrid)
        #expect(layout.unifiedMount == "/sys/fs/cgroup/unified")
        #expect(layout.v1.map(\.label) == ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd"])
        #expect(layout.v1Hierarchy(for: "memory")?.mountPoint == "/sys/fs/cgroup/memory")
        #expect(layout.v1Hierarchy(for: "name=systemd")?.mountPoint == "/sys/fs/cgroup/systemd")
        #expect(layout.v1Hierarchy(for: "hugetlb") == nil)
    }

    @Test func pureV2() throws {
        let text = """
            25 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            26 22 0:23 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:5 - pstore pstore rw
            """
        let layout = try CgroupLayout.parse(mountinfo: text)
        #expect(layout == CgroupLayout(mode: .unified, unifiedMount: "/sys/fs/cgroup"))
    }

    /// Typical Docker-era legacy host: co-mounted controllers, optional fields, symlinks not listed.
    @Test func legacyWithCoMountedControllers() throws {
        let text = """
            30 24 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            31 30 0:27 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
            34 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct
            35 30 0:31 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,net_cls,net_prio
            36 30 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,memory
            37 30 0:33 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,cpuset,clone_children
            99 36 0:32 /docker /mnt/elsewhere rw - cgroup cgroup rw,memory
            """
        let layout = try CgroupLayout.parse(mountinfo: text)
        #expect(layout.mode == .legacy)
        #expect(layout.unifiedMount == nil)
        #expect(layout.v1.map(\.label) == ["name=systemd", "cpu,cpuacct", "net_cls,net_prio", "memory", "cpuset"])
        #expect(layout.v1Hierarchy(for: "cpuacct")?.mountPoint == "/sys/fs/cgroup/cpu,cpuacct")
    }

    @Test func escapedMountPointAndCustomRoot() throws {
        let text = """
            50 1 0:40 / /run/my\\040cgroups/memory rw - cgroup cgroup rw,memory
            51 1 0:41 / /run/my\\040cgroups/unified rw - cgroup2 none rw
            52 1 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
            """
        let layout = try CgroupLayout.parse(mountinfo: text, root: "/run/my cgroups/")
        #expect(layout.mode == .hybrid)
        #expect(layout.v1 == [CgroupV1Hierarchy(mountPoint: "/run/my cgroups/memory", controllers: ["memory"])])
        #expect(layout.unifiedMount == "/run/my cgroups/unified")
    }

    @Test func noCgroupsIsAnError() {
        #expect(throws: CgroupError.self) {
            try CgroupLayout.parse(mountinfo: "22 1 0:21 / /proc rw - proc proc rw\n")
        }
    }

    @Test func malformedLinesAreSkipped() throws {
        let layout = try CgroupLayout.parse(mountinfo: "garbage\n\n" + Self.hybridMountinfo + "\n1 2 3")
        #expect(layout.mode == .hybrid)
    }

    /// The shell: statfs on a temp dir is not cgroup2, so the injected mountinfo decides.
    @Test func detectWithInjectedRoot() throws {
        let tree = try FakeCgroupTree()
        try tree.dir("memory")
        try tree.file("mountinfo", """
            60 1 0:50 / \(tree.root)/memory rw - cgroup cgroup rw,memory
            61 1 0:51 / \(tree.root)/systemd rw - cgroup cgroup rw,name=systemd
            """)
        let layout = try CgroupLayout.detect(root: tree.root, mountinfoPath: tree.root + "/mountinfo")
        #expect(layout.mode == .legacy)
        #expect(layout.v1.map(\.label) == ["memory", "name=systemd"])
    }

    @Test func detectReportsMissingRoot() {
        do {
            _ = try CgroupLayout.detect(root: "/nonexistent-swiftlet-root")
            Issue.record("expected an error")
        } catch let error as CgroupError {
            #expect(error.description == "cgroups: statfs /nonexistent-swiftlet-root: No such file or directory")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func featuresJSON() throws {
        let tree = try FakeCgroupTree()
        try tree.file("unified/cgroup.controllers", "hugetlb\n")
        var layout = try CgroupLayout.parse(mountinfo: Self.hybridMountinfo)
        layout.unifiedMount = tree.root + "/unified"
        let features = layout.features()
        #expect(features.mode == .hybrid)
        #expect(features.v2Controllers == ["hugetlb"])
        #expect(features.v1Controllers == ["blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids"])
        #expect(features.v1Hierarchies["name=systemd"] == "/sys/fs/cgroup/systemd")
        let json = features.json
        #expect(json.hasPrefix("{\"devices\":\"v1\""))
        #expect(json.contains("\"mode\":\"hybrid\""))
        #expect(json.contains("\"unified\":\"\(tree.root)/unified\""))
    }

    @Test func paths() throws {
        let p = try CgroupPath("swiftlet/pod1//ctr1/")
        #expect(p.description == "/swiftlet/pod1/ctr1")
        #expect(p.ancestors.map(\.description) == ["/swiftlet", "/swiftlet/pod1"])
        #expect(p.absolute(under: "/sys/fs/cgroup/memory/") == "/sys/fs/cgroup/memory/swiftlet/pod1/ctr1")
        #expect(throws: CgroupError.self) { try CgroupPath("/a/../b") }
        #expect(throws: CgroupError.self) { try CgroupPath("/") }
    }
}
