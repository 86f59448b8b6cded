import Testing
@testable import NodeAgent
import CSeccomp

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

enum JSONCoding {
    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}

@Suite("SeccompCompiler")
struct SeccompCompilerTests {
    static let eperm: UInt16 = 1
    static let eacces: UInt16 = 13

    func compile(_ spec: LinuxSeccomp) throws -> SeccompProgram {
        try SeccompCompiler.compile(spec)
    }

    func verdict(_ program: SeccompProgram, _ nr: Int32, _ args: [UInt64] = [],
                 arch: UInt32 = SeccompData.auditArchX86_64) throws -> SeccompAction {
        try BPFInterpreter.run(program, SeccompData(nr: nr, arch: arch, args: args))
    }

    func compileError(_ spec: LinuxSeccomp) -> ConfinementError? {
        #expect(throws: ConfinementError.self) { try SeccompCompiler.compile(spec) }
    }

    // MARK: actions

    @Test func denyListWithDefaultAllow() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            LinuxSyscall(names: ["mount", "umount2"], action: "SCMP_ACT_ERRNO"),
        ]))
        #expect(try verdict(program, X86_64.read) == .allow)
        #expect(try verdict(program, X86_64.mount) == .errno(Self.eperm))
        #expect(try verdict(program, X86_64.umount2) == .errno(Self.eperm))
        #expect(program.flags.isEmpty)
    }

    @Test func errnoRetIsHonoured() throws {
        let program = try compile(LinuxSeccomp(
            defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38, syscalls: [
                LinuxSyscall(names: ["read", "write"], action: "SCMP_ACT_ALLOW"),
                LinuxSyscall(names: ["mount"], action: "SCMP_ACT_ERRNO", errnoRet: UInt(Self.eacces)),
                LinuxSyscall(names: ["ptrace"], action: "SCMP_ACT_TRACE", errnoRet: 7),
            ]))
        #expect(try verdict(program, X86_64.read) == .allow)
        #expect(try verdict(program, X86_64.mount) == .errno(Self.eacces))
        #expect(try verdict(program, X86_64.ptrace) == .trace(7))
        #expect(try verdict(program, X86_64.unshare) == .errno(38))
    }

    @Test func everyActionMapsToItsKernelValue() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            LinuxSyscall(names: ["mount"], action: "SCMP_ACT_KILL"),
            LinuxSyscall(names: ["umount2"], action: "SCMP_ACT_KILL_THREAD"),
            LinuxSyscall(names: ["unshare"], action: "SCMP_ACT_KILL_PROCESS"),
            LinuxSyscall(names: ["setns"], action: "SCMP_ACT_TRAP"),
            LinuxSyscall(names: ["ptrace"], action: "SCMP_ACT_TRACE"),
            LinuxSyscall(names: ["kcmp"], action: "SCMP_ACT_LOG"),
            LinuxSyscall(names: ["bpf"], action: "SCMP_ACT_ERRNO"),
        ]))
        #expect(try verdict(program, X86_64.mount) == .killThread)
        #expect(try verdict(program, X86_64.umount2) == .killThread)
        #expect(try verdict(program, X86_64.unshare) == .killProcess)
        #expect(try verdict(program, X86_64.setns) == .trap)
        #expect(try verdict(program, X86_64.ptrace) == .trace(Self.eperm))
        #expect(try verdict(program, X86_64.kcmp) == .log)
        #expect(try verdict(program, X86_64.bpf) == .errno(Self.eperm))
        #expect(try verdict(program, X86_64.read) == .allow)
    }

    @Test func ruleRepeatingTheDefaultActionIsSkipped() throws {
        let program = try compile(LinuxSeccomp(
            defaultAction: "SCMP_ACT_ERRNO", syscalls: [
                LinuxSyscall(names: ["read"], action: "SCMP_ACT_ALLOW"),
                LinuxSyscall(names: ["mount"], action: "SCMP_ACT_ERRNO"),
                LinuxSyscall(names: ["unshare"], action: "SCMP_ACT_ERRNO", errnoRet: 1),
            ]))
        #expect(try verdict(program, X86_64.read) == .allow)
        #expect(try verdict(program, X86_64.mount) == .errno(Self.eperm))
    }

    @Test func notifyIsUnsupported() {
        let rule = compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            LinuxSyscall(names: ["read"], action: "SCMP_ACT_ERRNO"),
            LinuxSyscall(names: ["mount"], action: "SCMP_ACT_NOTIFY"),
        ]))
        #expect(rule?.reason == .unsupportedAction("SCMP_ACT_NOTIFY"))
        #expect(rule?.description == "linux.seccomp.syscalls[1].action: seccomp action \"SCMP_ACT_NOTIFY\" is unsupported by this runtime")

        let defaultAction = compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_NOTIFY"))
        #expect(defaultAction?.path == "linux.seccomp.defaultAction")
        #expect(defaultAction?.reason == .unsupportedAction("SCMP_ACT_NOTIFY"))

        let listener = compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/run/agent.sock"))
        #expect(listener?.path == "linux.seccomp.listenerPath")
        #expect(listener?.reason == .unsupportedListener)
    }

    // MARK: names

    @Test func unknownSyscallNamesItsField() {
        let error = compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            LinuxSyscall(names: ["read"], action: "SCMP_ACT_ALLOW"),
            LinuxSyscall(names: ["write"], action: "SCMP_ACT_ALLOW"),
            LinuxSyscall(names: ["close"], action: "SCMP_ACT_ALLOW"),
            LinuxSyscall(names: ["openat", "nosuchcall"], action: "SCMP_ACT_ALLOW"),
        ]))
        #expect(error?.description == "linux.seccomp.syscalls[3].names[1]: unknown syscall \"nosuchcall\"")
        #expect(error?.reason == .unknownSyscall("nosuchcall"))
    }

    @Test func unknownSyscallFailsEvenInASkippedRule() {
        let error = compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            LinuxSyscall(names: ["nosuchcall"], action: "SCMP_ACT_ALLOW"),
        ]))
        #expect(error?.path == "linux.seccomp.syscalls[0].names[0]")
    }

    @Test func syscallOfAnotherArchitectureIsAnError() {
        let error = compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            LinuxSyscall(names: ["arm_fadvise64_64"], action: "SCMP_ACT_ALLOW"),
        ]))
        #expect(error?.path == "linux.seccomp.syscalls[0].names[0]")
        #expect(error?.reason == .syscallNotOnArchitectures("arm_fadvise64_64", architectures: ["SCMP_ARCH_X86_64"]))
    }

    /// recv(2) exists on i386 only as socketcall(SYS_RECV, ...), and not at all on x86_64.
    @Test func multiplexedSocketCallsCountOnlyWhereTheMultiplexerExists() throws {
        let error = compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
                                              syscalls: [LinuxSyscall(names: ["recv"], action: "SCMP_ACT_ERRNO")]))
        #expect(error?.reason == .syscallNotOnArchitectures("recv", architectures: ["SCMP_ARCH_X86_64"]))

        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW",
                                               architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                                               syscalls: [LinuxSyscall(names: ["recv", "mount"], action: "SCMP_ACT_ERRNO")]))
        let i386 = SeccompData.auditArchI386
        #expect(try verdict(program, I386.socketcall, [10], arch: i386) == .errno(Self.eperm)) // SYS_RECV
        #expect(try verdict(program, I386.socketcall, [1], arch: i386) == .allow) // SYS_SOCKET
        #expect(try verdict(program, I386.mount, arch: i386) == .errno(Self.eperm))
        #expect(try verdict(program, X86_64.read) == .allow)
    }

    /// libseccomp 2.5.4 bug: when an architecture's only rules are socketcall/ipc
    /// demultiplexing ones, its block compares the arch word instead of the
    /// syscall number (the "ld nr" is omitted), so the rules never match.
    /// runc and crun inherit it; the default profile is unaffected because i386
    /// has direct rules there. This fails (as "known issue not recorded") once
    /// libseccomp is fixed.
    @Test func libseccompMultiplexOnlyBlockBug() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW",
                                               architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
                                               syscalls: [LinuxSyscall(names: ["recv"], action: "SCMP_ACT_ERRNO")]))
        let got = try verdict(program, I386.socketcall, [10], arch: SeccompData.auditArchI386)
        withKnownIssue("libseccomp 2.5.4 omits the syscall load for a demux-only arch block") {
            #expect(got == .errno(Self.eperm))
        }
    }

    @Test func emptyNamesAreErrors() {
        #expect(compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            LinuxSyscall(names: [], action: "SCMP_ACT_ALLOW"),
        ]))?.description == "linux.seccomp.syscalls[0].names: names must list at least one syscall")
        #expect(compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            LinuxSyscall(names: ["read", ""], action: "SCMP_ACT_ALLOW"),
        ]))?.path == "linux.seccomp.syscalls[0].names[1]")
    }

    // MARK: validation

    @Test func invalidFieldsAreNamed() {
        let allow = LinuxSyscall(names: ["read"], action: "SCMP_ACT_ALLOW")
        let cases: [(LinuxSeccomp, String)] = [
            (LinuxSeccomp(defaultAction: "SCMP_ACT_MAYBE"), "linux.seccomp.defaultAction"),
            (LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", defaultErrnoRet: 1), "linux.seccomp.defaultErrnoRet"),
            (LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 70_000), "linux.seccomp.defaultErrnoRet"),
            (LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64", "x86"]),
             "linux.seccomp.architectures[1]"),
            (LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", flags: ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_NOPE"]),
             "linux.seccomp.flags[1]"),
            (LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]),
             "linux.seccomp.flags[0]"),
            (LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
                allow, LinuxSyscall(names: ["write"], action: "SCMP_ACT_ALLOW", errnoRet: 1),
            ]), "linux.seccomp.syscalls[1].errnoRet"),
            (LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
                LinuxSyscall(names: ["read"], action: "SCMP_ACT_ALLOW",
                             args: [LinuxSeccompArg(index: 6, value: 0, op: "SCMP_CMP_EQ")]),
            ]), "linux.seccomp.syscalls[0].args[0].index"),
            (LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
                LinuxSyscall(names: ["read"], action: "SCMP_ACT_ALLOW", args: [
                    LinuxSeccompArg(index: 0, value: 0, op: "SCMP_CMP_EQ"),
                    LinuxSeccompArg(index: 1, value: 0, op: "SCMP_CMP_SORTOF"),
                ]),
            ]), "linux.seccomp.syscalls[0].args[1].op"),
        ]
        for (spec, path) in cases {
            let error = compileError(spec)
            #expect(error?.path == path, "\(String(describing: error))")
        }
    }

    @Test func errorMessagesReadWell() {
        #expect(compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", defaultErrnoRet: 1))?.description
            == "linux.seccomp.defaultErrnoRet: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW")
        #expect(compileError(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", architectures: ["x86"]))?.description
            == "linux.seccomp.architectures[0]: unknown seccomp architecture \"x86\"")
    }

    // MARK: argument conditions

    @Test func argumentEqualityOnPersonality() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            LinuxSyscall(names: ["personality"], action: "SCMP_ACT_ALLOW",
                         args: [LinuxSeccompArg(index: 0, value: 0x0, op: "SCMP_CMP_EQ")]),
        ]))
        #expect(try verdict(program, X86_64.personality, [0x0]) == .allow)
        #expect(try verdict(program, X86_64.personality, [0x8]) == .errno(Self.eperm))
        #expect(try verdict(program, X86_64.personality, [0x1_0000_0000]) == .errno(Self.eperm))
        #expect(try verdict(program, X86_64.read) == .errno(Self.eperm))
    }

    @Test(arguments: [
        ("SCMP_CMP_NE", [(4, false), (5, true), (0x1_0000_0004, true)]),
        ("SCMP_CMP_LT", [(4, true), (5, false), (6, false), (0x1_0000_0000, false)]),
        ("SCMP_CMP_LE", [(4, true), (5, true), (6, false)]),
        ("SCMP_CMP_EQ", [(4, false), (5, true), (0x1_0000_0005, false)]),
        ("SCMP_CMP_GE", [(4, false), (5, true), (6, true), (0xffff_ffff_ffff_ffff, true)]),
        ("SCMP_CMP_GT", [(4, false), (5, false), (6, true), (0x1_0000_0000, true)]),
    ] as [(String, [(UInt64, Bool)])])
    func comparisonOperators(op: String, samples: [(UInt64, Bool)]) throws {
        // NE against 4 so that the "5" samples mean the same thing in every row.
        let value: UInt64 = op == "SCMP_CMP_NE" ? 4 : 5
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            LinuxSyscall(names: ["write"], action: "SCMP_ACT_ALLOW",
                         args: [LinuxSeccompArg(index: 2, value: value, op: op)]),
        ]))
        for (arg, allowed) in samples {
            let got = try verdict(program, X86_64.write, [1, 0, arg])
            #expect(got == (allowed ? .allow : .errno(Self.eperm)), "\(op) \(value) with arg2=\(arg)")
        }
    }

    @Test func maskedEqualUsesValueAsMaskAndValueTwoAsDatum() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            LinuxSyscall(names: ["clone"], action: "SCMP_ACT_ALLOW",
                         args: [LinuxSeccompArg(index: 0, value: 0xf0, valueTwo: 0x30, op: "SCMP_CMP_MASKED_EQ")]),
        ]))
        #expect(try verdict(program, X86_64.clone, [0x30]) == .allow)
        #expect(try verdict(program, X86_64.clone, [0x3f]) == .allow)
        #expect(try verdict(program, X86_64.clone, [0x70]) == .errno(Self.eperm))
        #expect(try verdict(program, X86_64.clone, [0x00]) == .errno(Self.eperm))
    }

    @Test func conditionsOnDifferentArgumentsAreANDed() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", syscalls: [
            LinuxSyscall(names: ["socket"], action: "SCMP_ACT_ERRNO", errnoRet: UInt(Self.eacces), args: [
                LinuxSeccompArg(index: 0, value: 2, op: "SCMP_CMP_EQ"),   // AF_INET
                LinuxSeccompArg(index: 1, value: 3, op: "SCMP_CMP_EQ"),   // SOCK_RAW
            ]),
        ]))
        #expect(try verdict(program, X86_64.socket, [2, 3]) == .errno(Self.eacces))
        #expect(try verdict(program, X86_64.socket, [2, 1]) == .allow)
        #expect(try verdict(program, X86_64.socket, [10, 3]) == .allow)
    }

    /// runc/crun compatibility: libseccomp refuses two conditions on one
    /// argument in a rule, so each becomes its own rule and they OR.
    @Test func conditionsOnTheSameArgumentAreORed() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO", syscalls: [
            LinuxSyscall(names: ["personality"], action: "SCMP_ACT_ALLOW", args: [
                LinuxSeccompArg(index: 0, value: 0x0, op: "SCMP_CMP_EQ"),
                LinuxSeccompArg(index: 0, value: 0x8, op: "SCMP_CMP_EQ"),
            ]),
        ]))
        #expect(try verdict(program, X86_64.personality, [0x0]) == .allow)
        #expect(try verdict(program, X86_64.personality, [0x8]) == .allow)
        #expect(try verdict(program, X86_64.personality, [0x9]) == .errno(Self.eperm))
    }

    // MARK: architectures and flags

    @Test func profileRestrictedToOneArchitecture() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ERRNO",
                                               architectures: ["SCMP_ARCH_X86_64"], syscalls: [
            LinuxSyscall(names: ["read"], action: "SCMP_ACT_ALLOW"),
        ]))
        #expect(try verdict(program, X86_64.read) == .allow)
        // Any other ABI gets libseccomp's bad-architecture action, KILL (thread).
        #expect(try verdict(program, I386.read, arch: SeccompData.auditArchI386) == .killThread)
        #expect(try verdict(program, X86_64.read | SeccompData.x32SyscallBit) == .killThread)
    }

    @Test func extraArchitecturesGetTheirOwnNumbers() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW",
                                               architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], syscalls: [
            LinuxSyscall(names: ["mount", "chown32"], action: "SCMP_ACT_ERRNO"),
        ]))
        let i386 = SeccompData.auditArchI386
        #expect(try verdict(program, X86_64.mount) == .errno(Self.eperm))
        #expect(try verdict(program, I386.mount, arch: i386) == .errno(Self.eperm))
        #expect(try verdict(program, I386.chown32, arch: i386) == .errno(Self.eperm))
        #expect(try verdict(program, I386.read, arch: i386) == .allow)
        #expect(try verdict(program, X86_64.mount | SeccompData.x32SyscallBit) == .errno(Self.eperm))
        #expect(try verdict(program, X86_64.read | SeccompData.x32SyscallBit) == .allow)
        // Numbers are per ABI: i386's mount (21) is access(2) on x86_64.
        #expect(try verdict(program, I386.mount) == .allow)
    }

    @Test func nativeArchitectureIsAlwaysPresent() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW",
                                               architectures: ["SCMP_ARCH_X86"], syscalls: [
            LinuxSyscall(names: ["mount"], action: "SCMP_ACT_ERRNO"),
        ]))
        #expect(try verdict(program, X86_64.mount) == .errno(Self.eperm))
        #expect(try verdict(program, I386.mount, arch: SeccompData.auditArchI386) == .errno(Self.eperm))
    }

    @Test func flagsAreCarriedThrough() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW", flags: [
            "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC",
        ]))
        #expect(program.flags == [.log, .specAllow, .tsync])
        #expect(program.flags.rawValue == 0b111)
    }

    @Test func programIsWholeInstructionsForTheCLayer() throws {
        let program = try compile(LinuxSeccomp(defaultAction: "SCMP_ACT_ALLOW"))
        #expect(program.bytes.count == program.instructionCount * 8)
        #expect(program.instructionCount > 0)
        #expect(program.instructions.last?.code == 0x06) // ends in BPF_RET
        program.withUnsafeFilter { pointer, count in
            #expect(pointer != nil)
            #expect(count == program.instructionCount)
        }
    }
}

@Suite("SeccompSpec")
struct SeccompSpecTests {
    @Test func decodesAndReencodesOCIJSON() throws {
        let json = """
        {"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
         "architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
         "flags":["SECCOMP_FILTER_FLAG_LOG"],
         "syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW",
                      "args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},
                     {"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
                     {"names":["clone"],"action":"SCMP_ACT_ALLOW",
                      "args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]}
        """
        let spec = try JSONCoding.decode(LinuxSeccomp.self, from: json)
        #expect(spec.defaultErrnoRet == 1)
        #expect(spec.syscalls?[0].args?[0] == LinuxSeccompArg(index: 0, value: 8, op: "SCMP_CMP_EQ"))
        #expect(spec.syscalls?[1].errnoRet == 38)
        #expect(spec.syscalls?[2].args?[0].valueTwo == 0)
        #expect(spec.listenerPath == nil)

        let again = try JSONCoding.decode(LinuxSeccomp.self, from: try JSONCoding.encode(spec))
        #expect(again == spec)
        // Absent optionals stay absent rather than becoming null.
        #expect(!(try JSONCoding.encode(spec)).contains("listenerPath"))
    }

    @Test func decodesCapabilities() throws {
        let caps = try JSONCoding.decode(LinuxCapabilities.self,
                                         from: #"{"bounding":["CAP_KILL"],"effective":["CAP_KILL"]}"#)
        #expect(caps == LinuxCapabilities(bounding: ["CAP_KILL"], effective: ["CAP_KILL"]))
        #expect(caps.ambient == nil)
    }
}

@Suite("SeccompABI")
struct SeccompABITests {
    /// SeccompAction and SeccompFilterFlags spell out kernel ABI numbers;
    /// check them against the headers the C layer compiles with.
    @Test func valuesMatchTheHeaders() {
        #expect(SeccompAction.allow.rawValue == SCMP_ACT_ALLOW)
        #expect(SeccompAction.allow.rawValue == UInt32(SECCOMP_RET_ALLOW))
        #expect(SeccompAction.log.rawValue == SCMP_ACT_LOG)
        #expect(SeccompAction.trap.rawValue == SCMP_ACT_TRAP)
        #expect(SeccompAction.killThread.rawValue == SCMP_ACT_KILL)
        #expect(SeccompAction.killProcess.rawValue == SCMP_ACT_KILL_PROCESS)
        #expect(SeccompAction.notify.rawValue == SCMP_ACT_NOTIFY)
        #expect(SeccompAction.errno(0).rawValue == UInt32(SECCOMP_RET_ERRNO))
        #expect(SeccompAction.trace(0).rawValue == UInt32(SECCOMP_RET_TRACE))
        #expect(SeccompFilterFlags.tsync.rawValue == UInt32(SECCOMP_FILTER_FLAG_TSYNC))
        #expect(SeccompFilterFlags.log.rawValue == UInt32(SECCOMP_FILTER_FLAG_LOG))
        #expect(SeccompFilterFlags.specAllow.rawValue == UInt32(SECCOMP_FILTER_FLAG_SPEC_ALLOW))
    }

    @Test func decodingFollowsTheKernel() {
        #expect(SeccompAction(rawValue: 0x0005_0026) == .errno(38))
        #expect(SeccompAction(rawValue: 0x7fff_1234) == .allow)
        #expect(SeccompAction(rawValue: 0x0001_0000) == .killProcess) // unknown action
    }
}
