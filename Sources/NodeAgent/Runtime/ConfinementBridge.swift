// TEMPORARY until the confinement work merges: the plan's view of seccomp and capabilities.
import CCap

public struct SeccompProgram: Sendable, Equatable {
    public var bytes: [UInt8]
    public var flagsRaw: UInt32
}

enum ConfinementBridge {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func compile(_ s: LinuxSeccomp) throws -> SeccompProgram {
        throw Failure(description: "linux.seccomp: not supported yet")
    }

    static func masks(_ caps: LinuxCapabilities) throws -> ContainerPlan.CapabilityMasks {
        func mask(_ names: [String]?, _ field: String) throws -> UInt64 {
            var m: UInt64 = 0
            for (i, n) in (names ?? []).enumerated() {
                var v: cap_value_t = 0
                guard cap_from_name(n, &v) == 0 else { throw Failure(description: "process.capabilities.\(field)[\(i)]: unknown capability \"\(n)\"") }
                m |= 1 << UInt64(v)
            }
            return m
        }
        return .init(bounding: try mask(caps.bounding, "bounding"), effective: try mask(caps.effective, "effective"),
                     permitted: try mask(caps.permitted, "permitted"), inheritable: try mask(caps.inheritable, "inheritable"),
                     ambient: try mask(caps.ambient, "ambient"))
    }
}

// TEMPORARY: replaced by the confinement work's DefaultConfinement on merge.
public enum DefaultConfinement {
    static let names = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
                        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
    public static let capabilities = LinuxCapabilities(bounding: names, effective: names, permitted: names)
    public static func seccompProfile(for: LinuxCapabilities) -> LinuxSeccomp? { nil }
    public static let maskedPaths = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                                     "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"]
    public static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
}
