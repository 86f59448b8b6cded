/// Kernel ABI numbers the plan needs, spelled out because Glibc's macros do not all reach Swift.
enum LinuxConstants {
    static let cloneNewNS: Int32 = 0x0002_0000
    static let cloneNewCgroup: Int32 = 0x0200_0000
    static let cloneNewUTS: Int32 = 0x0400_0000
    static let cloneNewIPC: Int32 = 0x0800_0000
    static let cloneNewUser: Int32 = 0x1000_0000
    static let cloneNewPID: Int32 = 0x2000_0000
    static let cloneNewNet: Int32 = 0x4000_0000

    /// OCI `linux.namespaces[].type` → CLONE_NEW* flag.
    static let namespaceFlags: [String: Int32] = [
        "pid": cloneNewPID, "network": cloneNewNet, "mount": cloneNewNS, "ipc": cloneNewIPC,
        "uts": cloneNewUTS, "user": cloneNewUser, "cgroup": cloneNewCgroup,
    ]

    /// OCI `process.rlimits[].type` → RLIMIT_* resource number.
    static let rlimits: [String: Int32] = [
        "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
        "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
        "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
        "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
    ]

    static let sIFCHR: UInt32 = 0o020000
    static let sIFBLK: UInt32 = 0o060000
    static let sIFIFO: UInt32 = 0o010000
}
