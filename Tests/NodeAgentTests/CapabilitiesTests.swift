import Testing
@testable import NodeAgent

#if canImport(Glibc)
import Glibc
#endif

@Suite("Capabilities")
struct CapabilitiesTests {
    @Test func knownNamesResolveToKernelNumbers() {
        #expect(Capabilities.number(of: "CAP_CHOWN") == 0)
        #expect(Capabilities.number(of: "CAP_NET_RAW") == 13)
        #expect(Capabilities.number(of: "CAP_SYS_ADMIN") == 21)
        #expect(Capabilities.number(of: "CAP_AUDIT_WRITE") == 29)
        #expect(Capabilities.number(of: "CAP_BPF") == 39)
    }

    @Test func onlyTheOCISpellingIsAccepted() {
        // libcap itself would take all of these.
        #expect(Capabilities.number(of: "cap_net_raw") == nil)
        #expect(Capabilities.number(of: "NET_RAW") == nil)
        #expect(Capabilities.number(of: "12") == nil)
        #expect(Capabilities.number(of: "CAP_") == nil)
        #expect(Capabilities.number(of: "CAP_FOO") == nil)
        #expect(Capabilities.number(of: "") == nil)
    }

    @Test func masksForEachSet() throws {
        let resolved = try Capabilities.resolve(LinuxCapabilities(
            bounding: ["CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_ADMIN"],
            effective: ["CAP_NET_RAW"],
            inheritable: nil,
            permitted: ["CAP_NET_RAW", "CAP_NET_RAW"],
            ambient: []), lastCap: 40)
        #expect(resolved.masks == CapabilityMasks(
            bounding: 1 << 0 | 1 << 13 | 1 << 21, effective: 1 << 13, inheritable: 0,
            permitted: 1 << 13, ambient: 0))
        #expect(resolved.unsupported.isEmpty)
        #expect(try Capabilities.resolve(nil, lastCap: 40).masks == CapabilityMasks())
    }

    @Test func unknownNameIsAnErrorWithItsField() {
        let error = #expect(throws: ConfinementError.self) {
            try Capabilities.resolve(LinuxCapabilities(
                bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_FOO"]), lastCap: 40)
        }
        #expect(error?.description == "process.capabilities.bounding[2]: unknown capability \"CAP_FOO\"")
        #expect(error?.reason == .unknownCapability("CAP_FOO"))

        let ambient = #expect(throws: ConfinementError.self) {
            try Capabilities.resolve(LinuxCapabilities(ambient: ["cap_kill"]), lastCap: 40)
        }
        #expect(ambient?.path == "process.capabilities.ambient[0]")
    }

    @Test func capabilitiesBeyondTheKernelsLastAreLeftOut() throws {
        let resolved = try Capabilities.resolve(LinuxCapabilities(
            bounding: ["CAP_KILL", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"],
            permitted: ["CAP_CHECKPOINT_RESTORE"]), lastCap: 38)
        #expect(resolved.masks.bounding == 1 << 5)
        #expect(resolved.masks.permitted == 0)
        #expect(resolved.unsupported == ["CAP_BPF", "CAP_CHECKPOINT_RESTORE"])
    }

    @Test func kernelLastCapComesFromProc() throws {
        let live = Capabilities.kernelLastCap()
        #expect(live >= 40) // CAP_CHECKPOINT_RESTORE, kernel 5.9+
        #expect(live <= 63)

        let path = "/tmp/swiftlet-seccomp-test-cap_last_cap-\(getpid())"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        _ = "37\n".withCString { write(fd, $0, 3) }
        close(fd)
        defer { unlink(path) }
        #expect(Capabilities.kernelLastCap(procFile: path) == 37)
        // Unreadable: fall back to libcap's probe of the kernel.
        #expect(Capabilities.kernelLastCap(procFile: "/nonexistent/cap_last_cap") == live)
    }

    @Test func namesOfAMask() {
        #expect(Capabilities.names(in: 1 << 0 | 1 << 13 | 1 << 21) == ["CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_ADMIN"])
        #expect(Capabilities.names(in: 0).isEmpty)
    }
}
