import Testing
@testable import NodeAgent

@Suite("Seccomp ENOSYS stub")
struct SeccompENOSYSStubTests {
    static let i386 = SeccompData.auditArchI386

    static let profile: SeccompProgram? = try? SeccompCompiler.compile(
        DefaultConfinement.seccompProfile(for: DefaultConfinement.capabilities))

    func verdict(_ nr: Int32, arch: UInt32 = SeccompData.auditArchX86_64) throws -> SeccompAction {
        try BPFInterpreter.run(try #require(Self.profile), SeccompData(nr: nr, arch: arch))
    }

    @Test("syscalls newer than anything the profile names get ENOSYS; known ones keep their verdict")
    func defaultProfile() throws {
        #expect(try verdict(457) == .errno(38))     // statmount: newer than libseccomp 2.5.4 knows
        #expect(try verdict(462) == .errno(38))     // mseal
        #expect(try verdict(1000) == .errno(38))
        #expect(try verdict(0) == .allow)           // read
        #expect(try verdict(272) == .errno(1))      // unshare: named and denied, still EPERM
        #expect(try verdict(250) == .errno(1))      // keyctl
        #expect(try verdict(3, arch: Self.i386) == .allow)      // i386 close
        #expect(try verdict(2000, arch: Self.i386) == .errno(38))
        // x32 numbers carry bit 30 on the x86_64 arch: left to the filter proper.
        #expect(try verdict(Int32(bitPattern: 0x4000_0000 | 457)) != .errno(38))
    }

    @Test("allow-by-default filters get no stub")
    func allowList() throws {
        let spec = LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW",
                                syscalls: [LinuxSyscall(names: ["getpid"], action: "SCMP_ACT_ERRNO")])
        let program = try SeccompCompiler.compile(spec)
        #expect(try BPFInterpreter.run(program, SeccompData(nr: 1000)) == .allow)
        #expect(try BPFInterpreter.run(program, SeccompData(nr: 39)) == .errno(1))
    }

    @Test("the stub's blocks for several architectures chain to the filter")
    func instructionsChain() throws {
        let stub = SeccompENOSYSStub.instructions([(arch: SeccompData.auditArchX86_64, max: 10), (arch: Self.i386, max: 20)])
        let allowAll = [BPFInstruction(code: SeccompENOSYSStub.returnConstant, jt: 0, jf: 0, k: 0x7fff_0000)]
        func run(_ nr: Int32, _ arch: UInt32) throws -> UInt32 { try BPFInterpreter.run(stub + allowAll, SeccompData(nr: nr, arch: arch)) }
        #expect(try run(10, SeccompData.auditArchX86_64) == 0x7fff_0000)
        #expect(try run(11, SeccompData.auditArchX86_64) == 0x0005_0026)
        #expect(try run(11, Self.i386) == 0x7fff_0000)
        #expect(try run(21, Self.i386) == 0x0005_0026)
        #expect(try run(99, 0xC000_00B7) == 0x7fff_0000)  // aarch64: no block, no change
    }
}
