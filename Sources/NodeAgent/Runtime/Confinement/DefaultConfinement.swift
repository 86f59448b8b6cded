/// What every container gets unless its spec says otherwise: containerd's
/// default capabilities, masked and read-only paths, and Docker's default
/// seccomp profile (Kubernetes `RuntimeDefault`).
public enum DefaultConfinement {
    /// containerd's `defaultUnixCaps` (pkg/oci/spec.go), in its order.
    public static let capabilityNames: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]

    /// As containerd sets them: bounding = effective = permitted; nothing
    /// inheritable or ambient, so an exec'd non-root program gets nothing.
    public static var capabilities: LinuxCapabilities {
        LinuxCapabilities(bounding: capabilityNames, effective: capabilityNames, inheritable: [],
                          permitted: capabilityNames, ambient: [])
    }

    /// containerd's default `linux.maskedPaths` (same list as the kubelet's
    /// default for CRI): bind-mounted over with /dev/null or an empty tmpfs.
    public static let maskedPaths: [String] = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
        "/sys/devices/virtual/powercap", "/proc/scsi",
    ]

    /// containerd's default `linux.readonlyPaths`.
    public static let readonlyPaths: [String] = [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ]

    /// Kernel assumed when uname cannot be parsed: new enough for every rule,
    /// which matches what this agent supports.
    static let fallbackKernel = KernelVersion(5, 10)

    /// Docker's default seccomp profile for a container with these
    /// capabilities (only the bounding set matters, as in Docker and
    /// containerd), on the native architecture and the running kernel.
    ///
    /// Names the linked libseccomp cannot place on any of the filter's
    /// architectures are dropped, as runc and crun silently do, so that the
    /// profile compiles; those syscalls then get the default EPERM. With
    /// Debian bookworm's libseccomp 2.5.4 that is the kernel 6.8+ calls
    /// statmount, listmount, lsm_*, mseal, {get,set,list,remove}xattrat and
    /// uretprobe (see `unfilterableNames`).
    public static func seccompProfile(
        for capabilities: LinuxCapabilities?,
        kernel: KernelVersion? = KernelVersion.running()
    ) -> LinuxSeccomp {
        let profile = DefaultSeccompProfile.profile(
            bounding: Set(capabilities?.bounding ?? []),
            native: SeccompArchitecture.native.ociName,
            kernel: kernel ?? fallbackKernel)
        return droppingUnfilterableNames(profile)
    }

    /// The names of `seccompProfile(for:)`'s source data that the linked
    /// libseccomp cannot filter on this machine's architectures.
    public static func unfilterableNames(for capabilities: LinuxCapabilities?,
                                         kernel: KernelVersion? = KernelVersion.running()) -> [String] {
        let profile = DefaultSeccompProfile.profile(
            bounding: Set(capabilities?.bounding ?? []),
            native: SeccompArchitecture.native.ociName,
            kernel: kernel ?? fallbackKernel)
        var seen = Set<String>()
        return (profile.syscalls ?? []).flatMap(\.names).filter {
            seen.insert($0).inserted && !SeccompCompiler.canFilter($0, architectures: profile.architectures)
        }
    }

    static func droppingUnfilterableNames(_ profile: LinuxSeccomp) -> LinuxSeccomp {
        var result = profile
        var verdicts: [String: Bool] = [:]
        result.syscalls = profile.syscalls?.compactMap { syscall in
            var kept = syscall
            kept.names = syscall.names.filter { name in
                if let known = verdicts[name] { return known }
                let known = SeccompCompiler.canFilter(name, architectures: profile.architectures)
                verdicts[name] = known
                return known
            }
            return kept.names.isEmpty ? nil : kept
        }
        return result
    }
}
