/// A seccomp filter verdict as the kernel encodes it in a BPF return value
/// (SECCOMP_RET_* in <linux/seccomp.h>; libseccomp's SCMP_ACT_* use the same
/// numbers). Kept in Swift because libseccomp's SCMP_ACT_ERRNO(x) and
/// SCMP_ACT_TRACE(x) are function-like macros that do not import.
public enum SeccompAction: Sendable, Hashable, CustomStringConvertible {
    case killProcess
    case killThread
    case trap
    case errno(UInt16)
    case notify
    case trace(UInt16)
    case log
    case allow

    /// The kernel only looks at these bits to pick the action; the low 16 are data.
    static let actionMask: UInt32 = 0xffff_0000
    static let dataMask: UInt32 = 0x0000_ffff

    public var rawValue: UInt32 {
        switch self {
        case .killProcess: 0x8000_0000
        case .killThread: 0x0000_0000
        case .trap: 0x0003_0000
        case .errno(let code): 0x0005_0000 | UInt32(code)
        case .notify: 0x7fc0_0000
        case .trace(let data): 0x7ff0_0000 | UInt32(data)
        case .log: 0x7ffc_0000
        case .allow: 0x7fff_0000
        }
    }

    /// Decodes a filter's return value the way the kernel does: the full action
    /// field selects, and an action the kernel does not know is treated as
    /// KILL_PROCESS (kernel/seccomp.c, `default:` of `__seccomp_filter`).
    public init(rawValue: UInt32) {
        let data = UInt16(rawValue & Self.dataMask)
        switch rawValue & Self.actionMask {
        case 0x0000_0000: self = .killThread
        case 0x0003_0000: self = .trap
        case 0x0005_0000: self = .errno(data)
        case 0x7fc0_0000: self = .notify
        case 0x7ff0_0000: self = .trace(data)
        case 0x7ffc_0000: self = .log
        case 0x7fff_0000: self = .allow
        default: self = .killProcess
        }
    }

    public var description: String {
        switch self {
        case .killProcess: "SCMP_ACT_KILL_PROCESS"
        case .killThread: "SCMP_ACT_KILL_THREAD"
        case .trap: "SCMP_ACT_TRAP"
        case .errno(let code): "SCMP_ACT_ERRNO(\(code))"
        case .notify: "SCMP_ACT_NOTIFY"
        case .trace(let data): "SCMP_ACT_TRACE(\(data))"
        case .log: "SCMP_ACT_LOG"
        case .allow: "SCMP_ACT_ALLOW"
        }
    }
}
