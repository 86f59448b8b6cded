/// The file names under /proc/PID/ns/ for each OCI namespace type.
let procNamespaceNames: [String: String] = [
    "pid": "pid", "network": "net", "mount": "mnt", "ipc": "ipc", "uts": "uts", "user": "user", "cgroup": "cgroup",
]

extension ContainerPlan {
    /// The plan for a process exec'd into this container while `pid` (its init) runs: it joins
    /// every namespace the container has, through init's /proc entries, enters its cgroups
    /// and keeps its confinement, but makes nothing new — no namespaces, mounts, devices,
    /// names, sysctls or hooks, and it does not wait for `start`.
    func forExec(into pid: Int32, namespaces: [String], process: Spec.Process) -> ContainerPlan {
        var p = self
        p.newNamespaces = 0
        p.joins = namespaces.compactMap { type in
            guard let name = procNamespaceNames[type], let flag = LinuxConstants.namespaceFlags[type] else { return nil }
            return NamespaceJoin(path: "/proc/\(pid)/ns/\(name)", flag: flag)
        }
        p.uidMap = nil
        p.gidMap = nil
        p.rootfs = ""
        p.mounts = []
        p.devices = []
        p.maskedPaths = []
        p.readonlyPaths = []
        p.sysctls = []
        p.hostname = nil
        p.domainname = nil
        p.hooks = Spec.Hooks()
        p.oomScoreAdj = nil
        p.args = process.args ?? []
        p.env = process.env ?? env
        p.pathEnv = p.env.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
        p.cwd = process.cwd
        p.uid = process.user.uid
        p.gid = process.user.gid
        p.additionalGids = process.user.additionalGids ?? []
        p.waitsForStart = false
        return p
    }
}
