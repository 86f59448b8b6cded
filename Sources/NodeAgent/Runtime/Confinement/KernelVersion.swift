#if canImport(Glibc)
import Glibc
#endif

/// A kernel's major.minor, for the profile rules that depend on it.
public struct KernelVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses the leading "major.minor" of a release string such as
    /// "6.18.0-1-amd64"; distribution suffixes do not matter here.
    public init?(release: String) {
        let parts = release.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let major = Int(parts[0]) else { return nil }
        guard let minor = Int(parts[1].prefix(while: { $0.isASCII && $0.isNumber })) else { return nil }
        self.init(major, minor)
    }

    /// The running kernel, or nil if uname's release is not "major.minor...".
    public static func running() -> KernelVersion? {
        var info = utsname()
        guard uname(&info) == 0 else { return nil }
        let release = withUnsafeBytes(of: &info.release) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return KernelVersion(release: release)
    }

    public static func < (lhs: KernelVersion, rhs: KernelVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    public var description: String { "\(major).\(minor)" }
}
