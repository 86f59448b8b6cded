import Glibc

/// An OCI platform: `os/architecture[/variant]`.
public struct RegistryPlatform: Codable, Sendable, Hashable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?
    public var osFeatures: [String]?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    public var description: String { os + "/" + architecture + (variant.map { "/" + $0 } ?? "") }

    /// The platform this process runs on, in Go's names (`uname -m` x86_64 → amd64, …).
    public static var host: RegistryPlatform {
        var u = utsname()
        uname(&u)
        let machine = withUnsafeBytes(of: u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch machine {
        case "x86_64": return RegistryPlatform(os: "linux", architecture: "amd64")
        case "aarch64", "arm64": return RegistryPlatform(os: "linux", architecture: "arm64", variant: "v8")
        case "armv7l", "armv7": return RegistryPlatform(os: "linux", architecture: "arm", variant: "v7")
        case "armv6l": return RegistryPlatform(os: "linux", architecture: "arm", variant: "v6")
        case "i386", "i686": return RegistryPlatform(os: "linux", architecture: "386")
        case "ppc64le": return RegistryPlatform(os: "linux", architecture: "ppc64le")
        case "s390x": return RegistryPlatform(os: "linux", architecture: "s390x")
        case "riscv64": return RegistryPlatform(os: "linux", architecture: "riscv64")
        default: return RegistryPlatform(os: "linux", architecture: machine)
        }
    }

    /// The variant an absent `variant` stands for: arm64 images are v8, amd64 v1.
    static func defaultVariant(_ architecture: String) -> String? {
        switch architecture {
        case "arm64": return "v8"
        case "amd64": return "v1"
        default: return nil
        }
    }

    /// The variant number for `vN` variants (arm v5-v8, amd64 v1-v4), nil otherwise.
    static func level(_ variant: String?) -> Int? {
        guard let v = variant, v.hasPrefix("v") else { return nil }
        return Int(v.dropFirst())
    }

    /// How well an image built for `candidate` runs here: nil if not at all, higher is better.
    /// Same os and architecture; a variant (absent = the default) at most ours (an armv6 image
    /// runs on armv7, not the reverse), an exact variant preferred.
    public func score(_ candidate: RegistryPlatform) -> Int? {
        guard candidate.os == os, candidate.architecture == architecture else { return nil }
        let mine = variant ?? RegistryPlatform.defaultVariant(architecture)
        let theirs = candidate.variant ?? RegistryPlatform.defaultVariant(architecture)
        if mine == theirs { return 1000 }
        if let m = RegistryPlatform.level(mine), let t = RegistryPlatform.level(theirs) {
            return t <= m ? t : nil
        }
        // Unknown variant spellings: only when one side does not care.
        return (mine == nil || theirs == nil) ? 0 : nil
    }

    /// The index entry for this platform: the best scoring manifest, the first among equals.
    public func select(from index: RegistryImageIndex) -> RegistryDescriptor? {
        var best: (score: Int, descriptor: RegistryDescriptor)?
        for d in index.manifests where RegistryMediaType.isManifest(d.mediaType) {
            guard let p = d.platform, let s = score(p) else { continue }
            if best == nil || s > best!.score { best = (s, d) }
        }
        return best?.descriptor
    }
}
