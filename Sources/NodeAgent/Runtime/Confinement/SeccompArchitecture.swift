import CSeccomp

/// An OCI seccomp architecture (`SCMP_ARCH_X86_64`, ...) resolved to the
/// libseccomp token the filter is built for.
public struct SeccompArchitecture: Sendable, Hashable, CustomStringConvertible {
    /// The OCI spelling, used in messages so they match what the user wrote.
    public let ociName: String
    let token: UInt32

    public var description: String { ociName }

    /// Every architecture name the OCI runtime spec defines (config-linux.md).
    /// The libseccomp spelling of each is the suffix in lower case.
    public static let ociNames: Set<String> = [
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
        "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
        "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE",
        "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
        "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
        "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    ]

    private static let prefix = "SCMP_ARCH_"

    /// The architecture this process runs as; libseccomp always puts it in a new filter.
    public static let native: SeccompArchitecture = {
        let token = seccomp_arch_native()
        return SeccompArchitecture(ociName: ociName(ofToken: token), token: token)
    }()

    init(ociName: String, token: UInt32) {
        self.ociName = ociName
        self.token = token
    }

    /// Resolves an OCI name; `path` names the field for the error.
    public init(ociName name: String, path: String) throws(ConfinementError) {
        guard Self.ociNames.contains(name) else {
            throw ConfinementError(path: path, reason: .invalidArchitecture(name))
        }
        let libseccompName = String(name.dropFirst(Self.prefix.count)).lowercased()
        let token = seccomp_arch_resolve_name(libseccompName)
        // 0 is libseccomp's "no such architecture": a name newer than the library.
        guard token != 0 else {
            throw ConfinementError(path: path, reason: .architectureUnsupported(name))
        }
        self.init(ociName: name, token: token)
    }

    private static func ociName(ofToken token: UInt32) -> String {
        for name in ociNames {
            let libseccompName = String(name.dropFirst(prefix.count)).lowercased()
            if seccomp_arch_resolve_name(libseccompName) == token { return name }
        }
        return "SCMP_ARCH_NATIVE"
    }
}
