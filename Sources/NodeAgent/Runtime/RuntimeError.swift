import Glibc

/// An errno value with the wording runc and Go use ("no such file or directory").
public struct Errno: Error, Sendable, Equatable, CustomStringConvertible {
    public let rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public var description: String {
        guard let c = strerror(rawValue) else { return "errno \(rawValue)" }
        let text = String(cString: c)
        guard let first = text.first else { return "errno \(rawValue)" }
        return first.lowercased() + text.dropFirst()
    }
}

/// What went wrong in one lifecycle operation, naming the container and the step.
public enum RuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bundle is unusable: nothing was created.
    case invalidBundle(id: String, problems: [String])
    case invalidID(String)
    case alreadyExists(id: String)
    case notFound(id: String)
    /// The operation does not fit the container's state (e.g. start on a running container).
    case wrongState(id: String, operation: String, status: ContainerStatus)
    /// A system call or setup step failed.
    case step(id: String, operation: String, step: String, errno: Errno)
    /// A step failed for a reason that is not an errno.
    case failed(id: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .invalidBundle(let id, let problems):
            return "create container \(id): invalid bundle: " + problems.joined(separator: "; ")
        case .invalidID(let id):
            return "invalid container id \"\(id)\": use letters, digits, '_', '-' and '.' (at most 1024)"
        case .alreadyExists(let id):
            return "create container \(id): container with id \"\(id)\" already exists"
        case .notFound(let id):
            return "container \"\(id)\" does not exist"
        case .wrongState(let id, let operation, let status):
            return "\(operation) container \(id): container is \(status.rawValue)"
        case .step(let id, let operation, let step, let errno):
            return "\(operation) container \(id): \(step): \(errno)"
        case .failed(let id, let operation, let reason):
            return "\(operation) container \(id): \(reason)"
        }
    }
}

/// The OCI runtime state's `status`.
public enum ContainerStatus: String, Codable, Sendable, Equatable {
    case creating, created, running, stopped
}

/// A NUL-terminated C buffer as a String.
func cString(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
