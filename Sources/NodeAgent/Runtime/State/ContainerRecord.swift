import Glibc

/// What the runtime persists about a container in `<root>/<id>/state.json`: enough for
/// `start`, `state`, `kill` and `delete`, run as separate processes, to find it again.
struct ContainerRecord: Codable, Sendable {
    var ociVersion: String
    var id: String
    var bundle: String
    var rootfs: String
    var pid: Int32
    /// Start time of init (clock ticks since boot), so a recycled pid is not mistaken for it.
    var pidStartTime: Int64
    /// The monitor waiting for init: reaped by `delete` when it is this process's child.
    var monitorPid: Int32
    var created: String
    var cgroupPath: String
    var annotations: [String: String]
    var poststart: [Spec.Hook]
    var poststop: [Spec.Hook]
}

/// The runtime spec's state, as `swiftlet runtime state` prints it (runc adds the same extras).
public struct ContainerState: Codable, Sendable, Equatable {
    public var ociVersion: String
    public var id: String
    public var status: ContainerStatus
    public var pid: Int32
    public var bundle: String
    public var annotations: [String: String]?
    public var rootfs: String
    public var created: String
    public var cgroupPath: String
    /// Set once stopped: the exit code (128+signal when killed by a signal).
    public var exitCode: Int32?
    /// Set once stopped when the kernel's OOM killer acted in the container's cgroup.
    public var oomKilled: Bool?
    /// Set when the program could not be started after `start` (e.g. execve failed).
    public var startError: String?
}

/// A wait status turned into what a shell reports: the exit code, or 128 + the signal.
public struct ExitStatus: Sendable, Equatable, CustomStringConvertible {
    public var code: Int32
    public var signal: Int32?
    public var oomKilled: Bool

    public init(waitStatus: Int32, oomKilled: Bool = false) {
        let sig = waitStatus & 0x7f
        if sig == 0 {
            code = (waitStatus >> 8) & 0xff
            signal = nil
        } else {
            code = 128 + sig
            signal = sig
        }
        self.oomKilled = oomKilled
    }

    public var description: String {
        var s = signal.map { "killed by signal \($0)" } ?? "exited with status \(code)"
        if oomKilled { s += " (OOM-killed)" }
        return s
    }
}

/// RFC 3339 in UTC, as the created field is written by runc.
func rfc3339Now() -> String {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    var t = ts.tv_sec
    var tm = tm()
    gmtime_r(&t, &tm)
    func pad(_ v: Int32, _ w: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T"
        + "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(ts.tv_nsec / 1000), 6))Z"
}
