/// The spec every container starts from, as containerd's `oci.WithDefaults` makes it: new
/// pid, ipc, uts, mount, network and cgroup namespaces, the standard pseudo-filesystems, and
/// the default confinement (capabilities, seccomp, masked and read-only paths).
extension Spec {
    public static func defaultLinux(args: [String], rootfs: String, hostname: String? = nil,
                                    env: [String] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                                    cgroupsPath: String? = nil) -> Spec {
        let confinement = DefaultConfinement.self
        return Spec(
            ociVersion: "1.2.0",
            process: Process(user: User(), args: args, env: env, cwd: "/",
                             capabilities: confinement.capabilities,
                             // No rlimits: like containerd, the container inherits the node's.
                             noNewPrivileges: true),
            root: Root(path: rootfs, readonly: false),
            hostname: hostname,
            mounts: defaultMounts,
            linux: Linux(
                namespaces: ["pid", "ipc", "uts", "mount", "network", "cgroup"].map { Namespace(type: $0) },
                cgroupsPath: cgroupsPath,
                resources: Resources(devices: [DeviceCgroup(allow: false, access: "rwm")]),
                seccomp: confinement.seccompProfile(for: confinement.capabilities),
                maskedPaths: confinement.maskedPaths,
                readonlyPaths: confinement.readonlyPaths))
    }

    public static let defaultMounts: [Mount] = [
        Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        Mount(destination: "/dev/pts", type: "devpts", source: "devpts",
              options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
    ]
}
