#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seccomp or capabilities configuration the runtime refuses, with the path
/// of the offending field in the OCI config so that the message points the
/// user at the line to fix, e.g.
/// `linux.seccomp.syscalls[3].names[1]: unknown syscall "nosuchcall"`.
public struct ConfinementError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// libseccomp has never heard of this name on any architecture.
        case unknownSyscall(String)
        /// libseccomp knows the name, but none of the filter's architectures has it.
        case syscallNotOnArchitectures(String, architectures: [String])
        case emptySyscallName
        case emptySyscallNames
        case invalidAction(String)
        /// A valid OCI action this runtime deliberately does not implement.
        case unsupportedAction(String)
        case errnoNotAllowed(action: String)
        case errnoOutOfRange(UInt)
        case invalidOperator(String)
        case argumentIndexOutOfRange(UInt)
        case invalidArchitecture(String)
        /// A valid OCI architecture the linked libseccomp cannot build filters for.
        case architectureUnsupported(String)
        case invalidFlag(String)
        case unsupportedFlag(String)
        case unsupportedListener
        case unknownCapability(String)
        case filterTooLarge(instructions: Int, limit: Int)
        case libseccomp(operation: String, errno: Int32)
        case system(operation: String, errno: Int32)
    }

    public let path: String
    public let reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(message)" }

    public var message: String {
        switch reason {
        case .unknownSyscall(let name):
            return "unknown syscall \"\(name)\""
        case .syscallNotOnArchitectures(let name, let arches):
            return "syscall \"\(name)\" does not exist on \(arches.joined(separator: ", "))"
        case .emptySyscallName:
            return "empty syscall name"
        case .emptySyscallNames:
            return "names must list at least one syscall"
        case .invalidAction(let action):
            return "unknown seccomp action \"\(action)\""
        case .unsupportedAction(let action):
            return "seccomp action \"\(action)\" is unsupported by this runtime"
        case .errnoNotAllowed(let action):
            return "errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not \(action)"
        case .errnoOutOfRange(let value):
            return "errno value \(value) does not fit the 16-bit seccomp return data"
        case .invalidOperator(let op):
            return "unknown seccomp operator \"\(op)\""
        case .argumentIndexOutOfRange(let index):
            return "argument index \(index) out of range (syscalls have 6 arguments, 0...5)"
        case .invalidArchitecture(let arch):
            return "unknown seccomp architecture \"\(arch)\""
        case .architectureUnsupported(let arch):
            return "seccomp architecture \"\(arch)\" is not supported by the linked libseccomp"
        case .invalidFlag(let flag):
            return "unknown seccomp flag \"\(flag)\""
        case .unsupportedFlag(let flag):
            return "seccomp flag \"\(flag)\" is unsupported by this runtime"
        case .unsupportedListener:
            return "seccomp notify listeners are unsupported by this runtime"
        case .unknownCapability(let name):
            return "unknown capability \"\(name)\""
        case .filterTooLarge(let count, let limit):
            return "seccomp filter has \(count) BPF instructions, the kernel accepts at most \(limit)"
        case .libseccomp(let operation, let code):
            return "libseccomp \(operation) failed: \(Self.errnoText(code))"
        case .system(let operation, let code):
            return "\(operation) failed: \(Self.errnoText(code))"
        }
    }

    private static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}
