#if canImport(Glibc)
import Glibc
#endif

/// The data of Docker's default seccomp profile (moby/profiles
/// `seccomp/default.json`, 2026-05), which containerd's `RuntimeDefault` for
/// Kubernetes mirrors, in our own form: a list of rules, each with the
/// conditions under which Docker includes it.
///
/// Where the two upstreams differ we follow Docker, the stricter one:
/// - `lsm_get_self_attr`, `lsm_list_modules`, `lsm_set_self_attr` need
///   CAP_SYS_ADMIN (containerd allows them to everyone);
/// - `riscv_hwprobe` is listed with the riscv64-only calls (Docker lists it
///   unconditionally; it exists on riscv64 only, so the effect is the same).
///
/// Names the linked libseccomp cannot resolve are removed later, by
/// `DefaultConfinement.seccompProfile(for:)`, not here: the data stays the
/// upstream fact and a newer libseccomp picks them up without a code change.
enum DefaultSeccompProfile {
    struct Rule: Sendable {
        var names: [String]
        var action = "SCMP_ACT_ALLOW"
        var errnoRet: UInt? = nil
        var args: [LinuxSeccompArg]? = nil
        /// Docker's `includes.caps`: only when the bounding set has this capability.
        var requiresCapability: String? = nil
        /// Docker's `excludes.caps`: only when the bounding set lacks it.
        var unlessCapability: String? = nil
        /// Docker's `includes.arches`, as OCI names of the native architecture.
        var onlyOnNative: Set<String> = []
        /// Docker's `excludes.arches`.
        var exceptOnNative: Set<String> = []
        /// Docker's `includes.minKernel`.
        var minimumKernel: KernelVersion? = nil

        func applies(bounding: Set<String>, native: String, kernel: KernelVersion) -> Bool {
            if let cap = requiresCapability, !bounding.contains(cap) { return false }
            if let cap = unlessCapability, bounding.contains(cap) { return false }
            if !onlyOnNative.isEmpty, !onlyOnNative.contains(native) { return false }
            if exceptOnNative.contains(native) { return false }
            if let minimumKernel, kernel < minimumKernel { return false }
            return true
        }
    }

    static let defaultAction = "SCMP_ACT_ERRNO"
    static let defaultErrnoRet = UInt(EPERM)

    /// Docker's `archMap`: the filter covers the native architecture and the
    /// ABIs a process on it can also use (int 0x80 and x32 on x86_64).
    static let architectures: [String: [String]] = [
        "SCMP_ARCH_X86_64": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "SCMP_ARCH_AARCH64": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
        "SCMP_ARCH_MIPS64": ["SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"],
        "SCMP_ARCH_MIPS64N32": ["SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"],
        "SCMP_ARCH_MIPSEL64": ["SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"],
        "SCMP_ARCH_MIPSEL64N32": ["SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"],
        "SCMP_ARCH_S390X": ["SCMP_ARCH_S390X", "SCMP_ARCH_S390"],
        "SCMP_ARCH_RISCV64": ["SCMP_ARCH_RISCV64"],
        "SCMP_ARCH_LOONGARCH64": ["SCMP_ARCH_LOONGARCH64"],
    ]

    /// The namespace-creating clone flags: CLONE_NEWNS | CLONE_NEWCGROUP |
    /// CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET.
    static let namespaceCloneFlags: UInt64 = 0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000
        | 0x1000_0000 | 0x2000_0000 | 0x4000_0000

    /// Address families kept from socket(2): AF_ALG (38) exposes the kernel
    /// crypto API and AF_VSOCK (40) the host; every other family is allowed.
    static let afALG: UInt64 = 38
    static let afVSOCK: UInt64 = 40

    static let rules: [Rule] = [
        Rule(names: [
            "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget", "capset",
            "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
            "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
            "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
            "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
            "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
            "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
            "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat",
            "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
            "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
            "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake",
            "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32", "geteuid",
            "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername",
            "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32",
            "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname",
            "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
            "getxattrat", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
            "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
            "ioprio_get", "ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule",
            "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link",
            "linkat", "listen", "listmount", "listxattr", "listxattrat", "llistxattr", "_llseek",
            "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack",
            "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat",
            "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify",
            "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
            "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
            "munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
            "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
            "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv",
            "preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev",
            "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
            "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "removexattrat", "rename",
            "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
            "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
            "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
            "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
            "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
            "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget",
            "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
            "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
            "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
            "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
            "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
            "setuid32", "setxattr", "setxattrat", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
            "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair",
            "splice", "stat", "stat64", "statfs", "statfs64", "statmount", "statx", "symlink", "symlinkat",
            "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
            "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
            "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
            "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname",
            "unlink", "unlinkat", "uretprobe", "utime", "utimensat", "utimensat_time64", "utimes", "vfork",
            "vmsplice", "wait4", "waitid", "waitpid", "write", "writev",
        ]),
        // Since 4.8 seccomp runs after ptrace's syscall-entry stop, so a tracer
        // can no longer use ptrace to step around the filter (Docker, containerd).
        Rule(names: ["process_vm_readv", "process_vm_writev", "ptrace"], minimumKernel: KernelVersion(4, 8)),
        // Three ranges rather than "!= 38 && != 40": libseccomp forbids two
        // conditions on one argument, and runc/crun would OR them.
        Rule(names: ["socket"], args: [LinuxSeccompArg(index: 0, value: afALG, op: "SCMP_CMP_LT")]),
        Rule(names: ["socket"], args: [LinuxSeccompArg(index: 0, value: afALG + 1, op: "SCMP_CMP_EQ")]),
        Rule(names: ["socket"], args: [LinuxSeccompArg(index: 0, value: afVSOCK, op: "SCMP_CMP_GT")]),
        // PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32|UNAME26, and 0xffffffff
        // which only queries the current persona.
        Rule(names: ["personality"], args: [LinuxSeccompArg(index: 0, value: 0x0, op: "SCMP_CMP_EQ")]),
        Rule(names: ["personality"], args: [LinuxSeccompArg(index: 0, value: 0x0008, op: "SCMP_CMP_EQ")]),
        Rule(names: ["personality"], args: [LinuxSeccompArg(index: 0, value: 0x20000, op: "SCMP_CMP_EQ")]),
        Rule(names: ["personality"], args: [LinuxSeccompArg(index: 0, value: 0x20008, op: "SCMP_CMP_EQ")]),
        Rule(names: ["personality"], args: [LinuxSeccompArg(index: 0, value: 0xffff_ffff, op: "SCMP_CMP_EQ")]),

        Rule(names: ["sync_file_range2", "swapcontext"], onlyOnNative: ["SCMP_ARCH_PPC64LE"]),
        Rule(names: ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"],
             onlyOnNative: ["SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64"]),
        Rule(names: ["arch_prctl"], onlyOnNative: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32"]),
        Rule(names: ["modify_ldt"], onlyOnNative: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_X86"]),
        Rule(names: ["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"],
             onlyOnNative: ["SCMP_ARCH_S390", "SCMP_ARCH_S390X"]),
        Rule(names: ["riscv_flush_icache", "riscv_hwprobe"], onlyOnNative: ["SCMP_ARCH_RISCV64"]),

        Rule(names: ["open_by_handle_at"], requiresCapability: "CAP_DAC_READ_SEARCH"),
        Rule(names: [
            "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
            "lookup_dcookie", "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mount",
            "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd",
            "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare",
        ], requiresCapability: "CAP_SYS_ADMIN"),
        // Without CAP_SYS_ADMIN, clone may not create namespaces. s390 swaps
        // clone's first two arguments, so the flags are arg1 there.
        Rule(names: ["clone"],
             args: [LinuxSeccompArg(index: 0, value: namespaceCloneFlags, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")],
             unlessCapability: "CAP_SYS_ADMIN", exceptOnNative: ["SCMP_ARCH_S390", "SCMP_ARCH_S390X"]),
        Rule(names: ["clone"],
             args: [LinuxSeccompArg(index: 1, value: namespaceCloneFlags, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")],
             unlessCapability: "CAP_SYS_ADMIN", onlyOnNative: ["SCMP_ARCH_S390", "SCMP_ARCH_S390X"]),
        // clone3 passes its flags in memory BPF cannot read, so it cannot get
        // the rule above. ENOSYS (not EPERM) makes glibc fall back to clone.
        Rule(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: UInt(ENOSYS), unlessCapability: "CAP_SYS_ADMIN"),
        Rule(names: ["reboot"], requiresCapability: "CAP_SYS_BOOT"),
        Rule(names: ["chroot"], requiresCapability: "CAP_SYS_CHROOT"),
        Rule(names: ["delete_module", "init_module", "finit_module"], requiresCapability: "CAP_SYS_MODULE"),
        Rule(names: ["acct"], requiresCapability: "CAP_SYS_PACCT"),
        Rule(names: ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"],
             requiresCapability: "CAP_SYS_PTRACE"),
        Rule(names: ["iopl", "ioperm"], requiresCapability: "CAP_SYS_RAWIO"),
        Rule(names: ["settimeofday", "stime", "clock_settime", "clock_settime64"], requiresCapability: "CAP_SYS_TIME"),
        Rule(names: ["vhangup"], requiresCapability: "CAP_SYS_TTY_CONFIG"),
        Rule(names: ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"],
             requiresCapability: "CAP_SYS_NICE"),
        Rule(names: ["syslog"], requiresCapability: "CAP_SYSLOG"),
        Rule(names: ["bpf"], requiresCapability: "CAP_BPF"),
        Rule(names: ["perf_event_open"], requiresCapability: "CAP_PERFMON"),
    ]

    /// The profile Docker would hand its runtime for a container with this
    /// bounding set, on this architecture and kernel. Names are not checked
    /// against libseccomp here.
    static func profile(bounding: Set<String>, native: String, kernel: KernelVersion) -> LinuxSeccomp {
        let syscalls = rules
            .filter { $0.applies(bounding: bounding, native: native, kernel: kernel) }
            .map { LinuxSyscall(names: $0.names, action: $0.action, errnoRet: $0.errnoRet, args: $0.args) }
        return LinuxSeccomp(
            defaultAction: defaultAction,
            defaultErrnoRet: defaultErrnoRet,
            architectures: architectures[native] ?? [native],
            syscalls: syscalls)
    }
}
