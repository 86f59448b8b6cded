import Glibc

/// Splits OCI/fstab mount options into mount(2) flags, a propagation change and the data
/// string the filesystem parses itself ("mode=755,size=65536k").
public struct MountOptions: Sendable, Equatable {
    public var flags: UInt
    public var clearedFlags: UInt
    public var propagation: UInt
    public var data: [String]

    public var isBind: Bool { flags & UInt(MS_BIND) != 0 }

    public init(_ options: [String]) {
        flags = 0
        clearedFlags = 0
        propagation = 0
        data = []
        for option in options {
            if let (set, flag) = Self.flagOptions[option] {
                if set { flags |= flag } else { flags &= ~flag; clearedFlags |= flag }
            } else if let p = Self.propagationOptions[option] {
                propagation = p
            } else if option == "defaults" || option.isEmpty {
                continue
            } else {
                data.append(option)
            }
        }
    }

    static let flagOptions: [String: (Bool, UInt)] = [
        "ro": (true, UInt(MS_RDONLY)), "rw": (false, UInt(MS_RDONLY)),
        "nosuid": (true, UInt(MS_NOSUID)), "suid": (false, UInt(MS_NOSUID)),
        "nodev": (true, UInt(MS_NODEV)), "dev": (false, UInt(MS_NODEV)),
        "noexec": (true, UInt(MS_NOEXEC)), "exec": (false, UInt(MS_NOEXEC)),
        "sync": (true, UInt(MS_SYNCHRONOUS)), "async": (false, UInt(MS_SYNCHRONOUS)),
        "dirsync": (true, UInt(MS_DIRSYNC)),
        "mand": (true, UInt(MS_MANDLOCK)), "nomand": (false, UInt(MS_MANDLOCK)),
        "noatime": (true, UInt(MS_NOATIME)), "atime": (false, UInt(MS_NOATIME)),
        "nodiratime": (true, UInt(MS_NODIRATIME)), "diratime": (false, UInt(MS_NODIRATIME)),
        "relatime": (true, UInt(MS_RELATIME)), "norelatime": (false, UInt(MS_RELATIME)),
        "strictatime": (true, UInt(MS_STRICTATIME)), "nostrictatime": (false, UInt(MS_STRICTATIME)),
        "bind": (true, UInt(MS_BIND)), "rbind": (true, UInt(MS_BIND) | UInt(MS_REC)),
        "remount": (true, UInt(MS_REMOUNT)),
    ]

    static let propagationOptions: [String: UInt] = [
        "private": UInt(MS_PRIVATE), "rprivate": UInt(MS_PRIVATE) | UInt(MS_REC),
        "shared": UInt(MS_SHARED), "rshared": UInt(MS_SHARED) | UInt(MS_REC),
        "slave": UInt(MS_SLAVE), "rslave": UInt(MS_SLAVE) | UInt(MS_REC),
        "unbindable": UInt(MS_UNBINDABLE), "runbindable": UInt(MS_UNBINDABLE) | UInt(MS_REC),
    ]

    /// `linux.rootfsPropagation` values.
    public static func propagation(named name: String) -> UInt? { propagationOptions[name] }
}
