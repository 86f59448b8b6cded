/// Flags for seccomp(SECCOMP_SET_MODE_FILTER, flags, prog); values are the
/// kernel's SECCOMP_FILTER_FLAG_* bits.
public struct SeccompFilterFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let tsync = SeccompFilterFlags(rawValue: 1 << 0)
    public static let log = SeccompFilterFlags(rawValue: 1 << 1)
    public static let specAllow = SeccompFilterFlags(rawValue: 1 << 2)
}

/// One classic-BPF instruction, field for field `struct sock_filter`.
public struct BPFInstruction: Sendable, Hashable {
    public var code: UInt16
    public var jt: UInt8
    public var jf: UInt8
    public var k: UInt32

    public init(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32) {
        self.code = code
        self.jt = jt
        self.jf = jf
        self.k = k
    }
}

/// A compiled seccomp filter, ready for the container's init to load.
///
/// The BPF is built in the parent because libseccomp allocates freely, while
/// the child between clone and exec must not: the child only needs a pointer,
/// a length and the flags. With no flags it can use
/// `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog)`; with flags it must use
/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, &fprog)` since prctl cannot carry them.
public struct SeccompProgram: Sendable, Equatable {
    /// BPF_MAXINSNS: the kernel rejects longer filters with EINVAL.
    public static let maxInstructions = 4096
    static let instructionSize = 8

    /// The `struct sock_filter` array exactly as libseccomp exported it, in
    /// host byte order: 8 bytes per instruction.
    public let bytes: [UInt8]
    public let flags: SeccompFilterFlags

    public init(bytes: [UInt8], flags: SeccompFilterFlags) {
        self.bytes = bytes
        self.flags = flags
    }

    /// The `len` of `struct sock_fprog`.
    public var instructionCount: Int { bytes.count / Self.instructionSize }

    public var instructions: [BPFInstruction] {
        var result: [BPFInstruction] = []
        result.reserveCapacity(instructionCount)
        bytes.withUnsafeBytes { raw in
            for i in 0..<instructionCount {
                let base = i * Self.instructionSize
                result.append(BPFInstruction(
                    code: raw.loadUnaligned(fromByteOffset: base, as: UInt16.self),
                    jt: raw[base + 2],
                    jf: raw[base + 3],
                    k: raw.loadUnaligned(fromByteOffset: base + 4, as: UInt32.self)
                ))
            }
        }
        return result
    }

    /// Hands the C layer the `filter` pointer and `len` for its `struct sock_fprog`.
    /// The pointer is only valid inside `body`; a caller that forks copies the
    /// bytes into memory the child can see first.
    public func withUnsafeFilter<R>(
        _ body: (_ filter: UnsafeRawPointer?, _ instructionCount: Int) throws -> R
    ) rethrows -> R {
        let count = instructionCount
        return try bytes.withUnsafeBytes { raw in try body(raw.baseAddress, count) }
    }
}
