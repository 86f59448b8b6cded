import Foundation
import Testing
@testable import NodeAgent

/// The default confinement every pod container gets: containerd's capabilities, the
/// RuntimeDefault seccomp profile, no_new_privs, masked and read-only paths.
@Suite("Default confinement", .serialized)
struct ConfinementTests {
    @Test("namespace, mount and keyring syscalls fail with EPERM under the default profile")
    func seccompDenies() throws {
        let box = try Sandbox("conf")
        defer { box.cleanUp() }
        let (exit, out) = try box.run(box.spec(["sysprobe", "unshare", "unshare-user", "mount", "keyctl", "add_key", "socket", "statmount"]))
        #expect(exit.code == 0, "\(out)")
        #expect(out.split(separator: "\n") == [
            "unshare: EPERM", "unshare-user: EPERM", "mount: EPERM", "keyctl: EPERM", "add_key: EPERM", "socket: ok",
            // Newer than the profile knows: "not implemented", so a program falls back.
            "statmount: ENOSYS",
        ])
    }

    @Test("the same probe without seccomp and as full root succeeds: the denials above are the profile's")
    func withoutConfinementTheProbeWorks() throws {
        let box = try Sandbox("conf")
        defer { box.cleanUp() }
        var spec = box.spec(["sysprobe", "unshare", "keyctl", "statmount"])
        spec.linux?.seccomp = nil
        spec.process?.capabilities = nil
        let (exit, out) = try box.run(spec)
        #expect(exit.code == 0, "\(out)")
        // statmount exists on this kernel: with NULL arguments it is EFAULT, not ENOSYS.
        #expect(out.split(separator: "\n") == ["unshare: ok", "keyctl: ok", "statmount: Bad address"])
    }

    @Test("a raw socket needs NET_RAW")
    func rawSocket() throws {
        let box = try Sandbox("conf")
        defer { box.cleanUp() }
        #expect(try box.run(box.spec(["sysprobe", "rawsocket"])).1 == "rawsocket: ok\n")
        var spec = box.spec(["sysprobe", "rawsocket"])
        let withoutRaw = DefaultConfinement.capabilityNames.filter { $0 != "CAP_NET_RAW" }
        spec.process?.capabilities = LinuxCapabilities(bounding: withoutRaw, effective: withoutRaw, permitted: withoutRaw)
        #expect(try box.run(spec).1 == "rawsocket: EPERM\n")
    }

    @Test("no_new_privs is set and the capability sets are containerd's defaults")
    func credentials() throws {
        let box = try Sandbox("conf")
        defer { box.cleanUp() }
        let (exit, out) = try box.run(box.spec(["grep", "-E", "^(NoNewPrivs|CapEff|CapBnd|CapAmb)", "/proc/self/status"]))
        #expect(exit.code == 0, "\(out)")
        let fields = Dictionary(uniqueKeysWithValues: out.split(separator: "\n").map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        })
        #expect(fields["NoNewPrivs"] == "1")
        let expected = try Capabilities.mask(DefaultConfinement.capabilityNames, path: "test").0
        let hex = String(expected, radix: 16)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex
        #expect(fields["CapEff"] == padded, "\(out)")
        #expect(fields["CapBnd"] == padded, "\(out)")
        #expect(fields["CapAmb"] == "0000000000000000")
    }

    @Test("masked paths read as empty; read-only paths and a read-only rootfs refuse writes with EROFS")
    func maskedAndReadonly() throws {
        let box = try Sandbox("conf")
        defer { box.cleanUp() }
        var spec = box.spec(["sh", "-c", "sysprobe read /proc/keys read /proc/timer_list write /newfile write /proc/sys/kernel/domainname; ls -A /sys/firmware | wc -l; cat /dev/null && echo devnull-ok"])
        spec.root?.readonly = true
        let (exit, out) = try box.run(spec)
        #expect(exit.code == 0, "\(out)")
        #expect(out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == [
            "read: 0 bytes", "read: 0 bytes", "write: EROFS", "write: EROFS", "0", "devnull-ok",
        ])
    }

    @Test("the devices allow-list: the standard nodes work, any other device is refused")
    func devices() throws {
        let box = try Sandbox("conf")
        defer { box.cleanUp() }
        // CAP_MKNOD lets it make /dev/mem, but the device cgroup refuses to open it.
        let (exit, out) = try box.run(box.spec(["sh", "-c",
            "head -c 4 /dev/urandom | wc -c; head -c 3 /dev/zero | wc -c; mknod /dev/mem c 1 1 && sysprobe read /dev/mem"]))
        #expect(exit.code == 0, "\(out)")
        #expect(out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["4", "3", "read: EPERM"])
    }

    @Test("the container runs as the spec's user with its additional groups")
    func userAndGroups() throws {
        let box = try Sandbox("conf")
        defer { box.cleanUp() }
        var spec = box.spec(["sh", "-c", "id -u; id -g; id -G; grep CapEff /proc/self/status"])
        spec.process?.user = Spec.User(uid: 65534, gid: 65534, additionalGids: [5, 7])
        let (exit, out) = try box.run(spec)
        #expect(exit.code == 0, "\(out)")
        let lines = out.split(separator: "\n")
        #expect(lines.prefix(3) == ["65534", "65534", "65534 5 7"])
        // A non-root user keeps no effective capabilities, as with runc.
        #expect(lines.last?.hasSuffix("0000000000000000") == true, "\(out)")
    }
}

@Suite("User namespaces", .serialized)
struct UserNamespaceTests {
    @Test("root in the container is an unprivileged uid on the host")
    func mappedRoot() throws {
        let box = try Sandbox("userns")
        defer { box.cleanUp() }
        var spec = box.spec(["sh", "-c", "id -u; cat /proc/self/uid_map; cat /proc/self/gid_map; sysprobe mount"])
        spec.linux?.namespaces?.append(Spec.Namespace(type: "user"))
        spec.linux?.uidMappings = [Spec.IDMapping(containerID: 0, hostID: 100_000, size: 65536)]
        spec.linux?.gidMappings = [Spec.IDMapping(containerID: 0, hostID: 100_000, size: 65536)]
        let (exit, out) = try box.run(spec)
        #expect(exit.code == 0, "\(out)")
        let lines = out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines == ["0", "0 100000 65536", "0 100000 65536", "mount: EPERM"])
    }
}
