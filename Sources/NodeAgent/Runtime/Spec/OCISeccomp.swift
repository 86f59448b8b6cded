// Wire types for the seccomp and capabilities parts of the OCI runtime spec
// (config-linux.md "Seccomp", config.md "process.capabilities").
//
// Actions, operators, architectures and flags stay plain Strings here so that a
// config decodes exactly as written; SeccompCompiler and Capabilities validate
// them and report the offending field.

/// `linux.seccomp`
public struct LinuxSeccomp: Codable, Sendable, Equatable {
    public var defaultAction: String
    public var defaultErrnoRet: UInt?
    public var architectures: [String]?
    public var flags: [String]?
    public var listenerPath: String?
    public var listenerMetadata: String?
    public var syscalls: [LinuxSyscall]?

    public init(
        defaultAction: String,
        defaultErrnoRet: UInt? = nil,
        architectures: [String]? = nil,
        flags: [String]? = nil,
        listenerPath: String? = nil,
        listenerMetadata: String? = nil,
        syscalls: [LinuxSyscall]? = nil
    ) {
        self.defaultAction = defaultAction
        self.defaultErrnoRet = defaultErrnoRet
        self.architectures = architectures
        self.flags = flags
        self.listenerPath = listenerPath
        self.listenerMetadata = listenerMetadata
        self.syscalls = syscalls
    }
}

/// `linux.seccomp.syscalls[i]`
public struct LinuxSyscall: Codable, Sendable, Equatable {
    public var names: [String]
    public var action: String
    public var errnoRet: UInt?
    public var args: [LinuxSeccompArg]?

    public init(names: [String], action: String, errnoRet: UInt? = nil, args: [LinuxSeccompArg]? = nil) {
        self.names = names
        self.action = action
        self.errnoRet = errnoRet
        self.args = args
    }
}

/// `linux.seccomp.syscalls[i].args[j]`. For `SCMP_CMP_MASKED_EQ`, `value` is the
/// mask and `valueTwo` the value the masked argument must equal.
public struct LinuxSeccompArg: Codable, Sendable, Equatable {
    public var index: UInt
    public var value: UInt64
    public var valueTwo: UInt64?
    public var op: String

    public init(index: UInt, value: UInt64, valueTwo: UInt64? = nil, op: String) {
        self.index = index
        self.value = value
        self.valueTwo = valueTwo
        self.op = op
    }
}

/// `process.capabilities`: each set is a list of names such as `CAP_NET_RAW`.
public struct LinuxCapabilities: Codable, Sendable, Equatable {
    public var bounding: [String]?
    public var effective: [String]?
    public var inheritable: [String]?
    public var permitted: [String]?
    public var ambient: [String]?

    public init(
        bounding: [String]? = nil,
        effective: [String]? = nil,
        inheritable: [String]? = nil,
        permitted: [String]? = nil,
        ambient: [String]? = nil
    ) {
        self.bounding = bounding
        self.effective = effective
        self.inheritable = inheritable
        self.permitted = permitted
        self.ambient = ambient
    }
}
