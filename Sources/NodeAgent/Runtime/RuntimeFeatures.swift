/// What `swiftlet runtime features` prints: the OCI features document's main fields plus
/// the cgroup mode chosen at start, so an operator sees how limits will be enforced.
public struct RuntimeFeatures: Codable, Sendable {
    public var ociVersionMin = "1.0.0"
    public var ociVersionMax = "1.2.0"
    public var hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
    public var mountOptions = MountOptions.flagOptions.keys.sorted() + MountOptions.propagationOptions.keys.sorted()
    public var namespaces = LinuxConstants.namespaceFlags.keys.sorted()
    public var cgroup: CgroupFeatures

    public static func current(cgroups: CgroupLayout) -> RuntimeFeatures {
        RuntimeFeatures(cgroup: cgroups.features())
    }
}
