import SwiftletCSystem
import Glibc

/// The files one container's lifecycle uses in its state directory.
struct StateFiles: Sendable {
    var directory: String
    var state: String { directory + "/state.json" }
    var execFifo: String { directory + "/exec.fifo" }
    var exit: String { directory + "/exit" }
    var execError: String { directory + "/exec-error" }
}

extension ContainerPlan {
    /// Fills a C description from the plan. Every pointer points into `arena`.
    func cDescription(arena: CArena, io: ContainerIO, cgroup: CgroupSpawnTargets, files: StateFiles,
                      stateCapacity: Int) -> swl_container_desc {
        var d = swl_container_desc()
        d.id = arena.string(id)
        d.new_namespaces = newNamespaces
        d.joins = arena.copy(joins.map { swl_ns_join(path: arena.string($0.path), nstype: $0.flag) })
        d.n_joins = Int32(joins.count)
        d.uid_map = arena.string(uidMap)
        d.gid_map = arena.string(gidMap)
        d.cgroup_procs = arena.constStringArray(cgroup.procsFiles)
        d.n_cgroup_procs = Int32(cgroup.procsFiles.count)
        d.cgroup_v2_dir = arena.string(cgroup.cloneIntoCgroup)

        // An exec'd process has no rootfs of its own: it enters the container's mount namespace.
        d.rootfs = rootfs.isEmpty ? nil : arena.string(rootfs)
        d.rootfs_readonly = rootfsReadonly ? 1 : 0
        d.rootfs_propagation = rootfsPropagation
        d.mounts = arena.copy(mounts.map {
            swl_mount(source: arena.string($0.source), destination: arena.string($0.destination),
                      fstype: arena.string($0.fstype), flags: $0.flags, propagation: $0.propagation,
                      data: arena.string($0.data))
        })
        d.n_mounts = Int32(mounts.count)
        d.devices = arena.copy(devices.map {
            swl_device(path: arena.string($0.path), mode: $0.mode, rdev: linuxDevice(major: $0.major, minor: $0.minor), uid: $0.uid, gid: $0.gid)
        })
        d.n_devices = Int32(devices.count)
        d.masked_paths = arena.constStringArray(maskedPaths)
        d.n_masked_paths = Int32(maskedPaths.count)
        d.readonly_paths = arena.constStringArray(readonlyPaths)
        d.n_readonly_paths = Int32(readonlyPaths.count)
        d.sysctls = arena.copy(sysctls.map { swl_sysctl(path: arena.string($0.path), value: arena.string($0.value)) })
        d.n_sysctls = Int32(sysctls.count)
        d.hostname = arena.string(hostname)
        d.domainname = arena.string(domainname)

        d.argv = arena.stringArray(args)
        d.envp = arena.stringArray(env)
        d.path_env = arena.string(pathEnv)
        d.cwd = arena.string(cwd)
        d.uid = uid
        d.gid = gid
        d.additional_gids = arena.copy(additionalGids)
        d.n_additional_gids = Int32(additionalGids.count)
        d.umask = umask
        d.rlimits = arena.copy(rlimits.map { swl_rlimit(resource: $0.resource, soft: rlim_t($0.soft), hard: rlim_t($0.hard)) })
        d.n_rlimits = Int32(rlimits.count)
        d.no_new_privileges = noNewPrivileges ? 1 : 0
        d.has_oom_score_adj = oomScoreAdj == nil ? 0 : 1
        d.oom_score_adj = oomScoreAdj ?? 0
        if let caps = capabilities {
            d.has_capabilities = 1
            d.cap_bounding = caps.bounding
            d.cap_effective = caps.effective
            d.cap_permitted = caps.permitted
            d.cap_inheritable = caps.inheritable
            d.cap_ambient = caps.ambient
        }
        if let s = seccomp {
            d.seccomp_filter = arena.buffer(s.bytes)
            d.seccomp_len = UInt16(s.bytes.count / 8)
            d.seccomp_flags = s.flags.rawValue
        }
        d.stdin_fd = io.stdin
        d.stdout_fd = io.stdout
        d.stderr_fd = io.stderr
        d.console_socket_fd = terminal ? io.consoleSocket : -1
        d.console_rows = consoleSize?.height ?? 0
        d.console_cols = consoleSize?.width ?? 0

        // An exec'd process starts at once; a container's init waits for `start`.
        d.exec_fifo = waitsForStart ? arena.string(files.execFifo) : nil
        d.exit_file = arena.string(files.exit)
        d.exec_error_file = arena.string(files.execError)
        let inContainer = (hooks.createContainer ?? []) + (hooks.startContainer ?? [])
        let runtimeSide = (hooks.prestart ?? []) + (hooks.createRuntime ?? [])
        d.wants_hook_pause = (inContainer.isEmpty && runtimeSide.isEmpty) ? 0 : 1
        d.create_container_hooks = cHooks(hooks.createContainer ?? [], arena)
        d.n_create_container_hooks = Int32(hooks.createContainer?.count ?? 0)
        d.start_container_hooks = cHooks(hooks.startContainer ?? [], arena)
        d.n_start_container_hooks = Int32(hooks.startContainer?.count ?? 0)
        if !inContainer.isEmpty {
            d.state_buffer = arena.array(of: CChar.self, count: stateCapacity)
            d.state_capacity = stateCapacity
        }
        return d
    }

    private func cHooks(_ hooks: [Spec.Hook], _ arena: CArena) -> UnsafePointer<swl_hook> {
        arena.copy(hooks.map {
            swl_hook(path: arena.string($0.path), argv: arena.stringArray($0.args ?? [$0.path]),
                     envp: arena.stringArray($0.env ?? []), timeout_seconds: Int32($0.timeout ?? 0))
        })
    }
}

/// glibc's makedev, which is a macro Swift cannot see.
func linuxDevice(major: UInt32, minor: UInt32) -> dev_t {
    let ma = UInt64(major), mi = UInt64(minor)
    return dev_t(((ma & 0xffff_f000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffff_ff00) << 12) | (mi & 0xff))
}
