/// The device nodes every container gets in its /dev, as runc and containerd make them.
/// (The cgroup rules that let it use them are `DeviceRule.defaultRules`.)
enum DefaultDevices {
    static let nodes: [ContainerPlan.PlannedDevice] = [
        node("/dev/null", 1, 3), node("/dev/zero", 1, 5), node("/dev/full", 1, 7),
        node("/dev/random", 1, 8), node("/dev/urandom", 1, 9), node("/dev/tty", 5, 0),
    ]

    private static func node(_ path: String, _ major: UInt32, _ minor: UInt32) -> ContainerPlan.PlannedDevice {
        .init(path: path, mode: LinuxConstants.sIFCHR | 0o666, major: major, minor: minor, uid: 0, gid: 0)
    }
}
