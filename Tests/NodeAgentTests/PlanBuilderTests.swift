import FoundationEssentials
import Glibc
import Testing
@testable import NodeAgent

@Suite("Plan builder")
struct PlanBuilderTests {
    let hybrid = HostCgroupMounts(unified: false, v1Hierarchies: [.init(name: "memory", mountPoint: "/sys/fs/cgroup/memory"),
                                                                   .init(name: "cpu", mountPoint: "/sys/fs/cgroup/cpu")])
    let exists: (String) -> Bool = { !$0.contains("missing") }

    func builder(_ id: String = "c1") -> PlanBuilder {
        PlanBuilder(id: id, bundle: "/bundles/c1", host: hybrid, defaultCgroupParent: "/swiftlet")
    }

    func spec(_ edit: (inout Spec) -> Void = { _ in }) -> Spec {
        var s = Spec(process: .init(args: ["/bin/true"], env: ["A=1", "PATH=/bin"]),
                     root: .init(path: "rootfs"),
                     mounts: [Spec.Mount(destination: "/proc", type: "proc", source: "proc")],
                     linux: .init(namespaces: ["pid", "mount", "uts"].map { Spec.Namespace(type: $0) }))
        edit(&s)
        return s
    }

    func problems(_ s: Spec) -> [String] {
        do {
            _ = try builder().build(s, pathExists: exists)
            return []
        } catch {
            if case .invalidBundle(_, let p) = error { return p }
            return ["\(error)"]
        }
    }

    @Test func resolvesPathsNamespacesAndDefaults() throws {
        let plan = try builder().build(spec { $0.hostname = "h" }, pathExists: exists)
        #expect(plan.rootfs == "/bundles/c1/rootfs")
        #expect(plan.newNamespaces == LinuxConstants.cloneNewPID | LinuxConstants.cloneNewNS | LinuxConstants.cloneNewUTS)
        #expect(plan.joins.isEmpty)
        #expect(plan.cgroupPath == "/swiftlet/c1")
        #expect(plan.pathEnv == "/bin")
        #expect(plan.umask == -1)
        #expect(plan.hostname == "h")
        #expect(plan.devices.isEmpty)  // no /dev tmpfs, no default nodes
        #expect(plan.cgroupResources.devices?.first == DeviceRule(allow: false, kind: .all))
    }

    @Test func namespacePathsAreJoined() throws {
        let plan = try builder().build(spec {
            $0.linux?.namespaces?.append(Spec.Namespace(type: "network", path: "/proc/42/ns/net"))
        }, pathExists: exists)
        #expect(plan.joins == [ContainerPlan.NamespaceJoin(path: "/proc/42/ns/net", flag: LinuxConstants.cloneNewNet)])
        #expect(plan.newNamespaces & LinuxConstants.cloneNewNet == 0)
    }

    @Test func everyProblemIsReportedWithItsFieldPath() {
        let p = problems(spec {
            $0.ociVersion = "2.0"
            $0.root = Spec.Root(path: "/missing/rootfs")
            $0.process?.cwd = "relative"
            $0.process?.rlimits = [Spec.Rlimit(type: "RLIMIT_BOGUS", hard: 1, soft: 1),
                                   Spec.Rlimit(type: "RLIMIT_NOFILE", hard: 1, soft: 2)]
            $0.linux?.namespaces?.append(Spec.Namespace(type: "pid"))
            $0.linux?.namespaces?.append(Spec.Namespace(type: "bogus"))
            $0.linux?.rootfsPropagation = "sideways"
            $0.hostname = "x"
            $0.linux?.namespaces?.removeAll { $0.type == "uts" }
            $0.mounts?.append(Spec.Mount(destination: "/data", type: "bind", source: "/missing/data"))
            $0.linux?.cgroupsPath = "system.slice:docker:x"
            $0.linux?.devices = [Spec.Device(type: "z", path: "/dev/x")]
        })
        #expect(p.contains("ociVersion: unsupported version \"2.0\" (want 1.x)"))
        #expect(p.contains("root.path: rootfs \"/missing/rootfs\" does not exist"))
        #expect(p.contains("process.cwd: must be an absolute path, got \"relative\""))
        #expect(p.contains("process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\""))
        #expect(p.contains("process.rlimits[1]: soft limit above hard limit"))
        #expect(p.contains("linux.namespaces[2].type: duplicate namespace \"pid\""))
        #expect(p.contains("linux.namespaces[3].type: unknown namespace type \"bogus\""))
        #expect(p.contains("linux.rootfsPropagation: unknown propagation \"sideways\""))
        #expect(p.contains("hostname: setting a hostname needs a new uts namespace"))
        #expect(p.contains("mounts[1].source: \"/missing/data\" does not exist"))
        #expect(p.contains("linux.cgroupsPath: systemd-style paths are not supported; use a cgroupfs path"))
        #expect(p.contains("linux.devices[0].type: unknown device type \"z\""))
        #expect(p.count == 12, "\(p)")
    }

    @Test func rootfsWithoutMountNamespaceIsRefused() {
        #expect(problems(spec { $0.linux?.namespaces = [Spec.Namespace(type: "pid")] })
            == ["linux.namespaces: a root filesystem needs a new mount namespace"])
    }

    @Test func userNamespaceNeedsMappings() {
        #expect(problems(spec { $0.linux?.namespaces?.append(Spec.Namespace(type: "user")) })
            == ["linux.uidMappings: a new user namespace needs uidMappings and gidMappings"])
        let plan = try? builder().build(spec {
            $0.linux?.namespaces?.append(Spec.Namespace(type: "user"))
            $0.linux?.uidMappings = [Spec.IDMapping(containerID: 0, hostID: 1000, size: 10)]
            $0.linux?.gidMappings = [Spec.IDMapping(containerID: 0, hostID: 2000, size: 1), Spec.IDMapping(containerID: 5, hostID: 5, size: 1)]
        }, pathExists: exists)
        #expect(plan?.uidMap == "0 1000 10\n")
        #expect(plan?.gidMap == "0 2000 1\n5 5 1\n")
    }

    @Test func devTmpfsGetsTheDefaultNodesAndSpecDevicesAreAllowed() throws {
        let plan = try builder().build(spec {
            $0.mounts?.append(Spec.Mount(destination: "/dev", type: "tmpfs", source: "tmpfs"))
            $0.linux?.devices = [Spec.Device(type: "c", path: "/dev/fuse", major: 10, minor: 229, fileMode: 0o600)]
            $0.linux?.resources = Spec.Resources(devices: [Spec.DeviceCgroup(allow: false, access: "rwm")])
        }, pathExists: exists)
        #expect(plan.devices.map(\.path) == ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/fuse"])
        #expect(plan.devices.last?.mode == LinuxConstants.sIFCHR | 0o600)
        let rules = try #require(plan.cgroupResources.devices)
        // deny all, the spec's deny all, then the defaults' allows, then /dev/fuse.
        #expect(rules[0] == DeviceRule(allow: false, kind: .all))
        #expect(rules[1] == DeviceRule(allow: false, kind: .all))
        #expect(rules.contains(DeviceRule(allow: true, kind: .char, major: 1, minor: 3)))
        #expect(rules.last == DeviceRule(allow: true, kind: .char, major: 10, minor: 229))
    }

    @Test func cgroupMountOnHybridHostBindsEachHierarchy() throws {
        let plan = try builder().build(spec {
            $0.mounts?.append(Spec.Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro"]))
        }, pathExists: exists)
        let cg = plan.mounts.filter { $0.destination.hasPrefix("/sys/fs/cgroup") }
        #expect(cg.map(\.destination) == ["/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu"])
        #expect(cg[1].source == "/sys/fs/cgroup/memory/swiftlet/c1")
        #expect(cg[1].flags & UInt(MS_RDONLY) != 0 && cg[1].flags & UInt(MS_BIND) != 0)
        let unified = try PlanBuilder(id: "c1", bundle: "/b", host: HostCgroupMounts(unified: true, v1Hierarchies: []))
            .build(spec { $0.mounts = [Spec.Mount(destination: "/sys/fs/cgroup", type: "cgroup")] }, pathExists: exists)
        #expect(unified.mounts.map(\.fstype) == ["cgroup2"])
    }

    @Test func resourcesMapOntoCgroupResources() throws {
        let plan = try builder().build(spec {
            $0.linux?.resources = Spec.Resources(memory: Spec.Memory(limit: 64 << 20, swap: 128 << 20),
                                                 cpu: Spec.CPU(shares: 512, quota: 50_000, period: 100_000),
                                                 pids: Spec.Pids(limit: 32), unified: ["memory.high": "1G"])
            $0.linux?.cgroupsPath = "pods/c1"
        }, pathExists: exists)
        let r = plan.cgroupResources
        #expect(r.memoryLimit == 64 << 20 && r.memorySwap == 128 << 20)
        #expect(r.cpuShares == 512 && r.cpuQuota == 50_000 && r.cpuPeriod == 100_000)
        #expect(r.pidsLimit == 32 && r.unified == ["memory.high": "1G"])
        #expect(plan.cgroupPath == "/pods/c1")
        #expect(problems(spec { $0.linux?.resources = Spec.Resources(memory: Spec.Memory(limit: 100, swap: 50)) })
            == ["linux.resources.memory.swap: must be at least the memory limit (it counts memory plus swap)"])
    }

    @Test func sysctlKeysBecomeProcPaths() throws {
        let plan = try builder().build(spec { $0.linux?.sysctl = ["net.ipv4.ip_forward": "1", "kernel.msgmax": "8192"] }, pathExists: exists)
        #expect(plan.sysctls.map(\.path) == ["/proc/sys/kernel/msgmax", "/proc/sys/net/ipv4/ip_forward"])
        #expect(problems(spec { $0.linux?.sysctl = ["../../etc/passwd": "x"] }) == ["linux.sysctl: invalid key \"../../etc/passwd\""])
    }
}

@Suite("Mount options")
struct MountOptionsTests {
    @Test func flagsPropagationAndData() {
        let o = MountOptions(["rbind", "ro", "nosuid", "rslave", "mode=755", "size=1m", "defaults"])
        #expect(o.flags == UInt(MS_BIND) | UInt(MS_REC) | UInt(MS_RDONLY) | UInt(MS_NOSUID))
        #expect(o.propagation == UInt(MS_SLAVE) | UInt(MS_REC))
        #expect(o.data == ["mode=755", "size=1m"])
        #expect(o.isBind)
    }

    @Test func laterOptionsWin() {
        #expect(MountOptions(["ro", "rw"]).flags & UInt(MS_RDONLY) == 0)
        #expect(MountOptions(["nosuid", "suid", "nosuid"]).flags == UInt(MS_NOSUID))
    }
}

@Suite("Exit status and errors")
struct ExitStatusTests {
    @Test func waitStatuses() {
        #expect(ExitStatus(waitStatus: 3 << 8).code == 3)
        #expect(ExitStatus(waitStatus: 9) == ExitStatus(waitStatus: 9))
        #expect(ExitStatus(waitStatus: 9).code == 137 && ExitStatus(waitStatus: 9).signal == 9)
        #expect(ExitStatus(waitStatus: 9, oomKilled: true).description == "killed by signal 9 (OOM-killed)")
    }

    @Test func errorsNameTheContainerAndStep() {
        #expect(RuntimeError.step(id: "web", operation: "create", step: "mount proc on \"/proc\"", errno: Errno(EPERM)).description
            == "create container web: mount proc on \"/proc\": operation not permitted")
        #expect(ContainerRuntime.describeStartError("2 exec \"/bin/nope\"\n") == "exec \"/bin/nope\": no such file or directory")
    }

    @Test func malformedJSONNamesWhere() {
        #expect(throws: RuntimeError.invalidBundle(id: "x", problems: ["config.json: process.args: expected an array"])) {
            _ = try SpecLoader.decode(Array("{\"ociVersion\":\"1.0.0\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"args\":\"sh\"}}".utf8).withUnsafeBytes { Data($0) }, id: "x")
        }
    }
}
