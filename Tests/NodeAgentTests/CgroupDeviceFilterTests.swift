import Testing
@testable import NodeAgent

@Suite("Device filter program")
struct CgroupDeviceFilterTests {
    func interpreter(_ rules: [DeviceRule]) throws -> DeviceProgramInterpreter {
        let program = try DeviceFilterProgram.generate(rules)
        #expect(program.last == .exit)
        return DeviceProgramInterpreter(program: program)
    }

    @Test func defaultAllowListWithWildcardDeny() throws {
        let p = try interpreter(DeviceRule.defaultRules)
        #expect(try p.allows("c", 1, 3, "rw"))      // /dev/null
        #expect(try p.allows("c", 1, 9, "r"))       // /dev/urandom
        #expect(try p.allows("c", 136, 7, "rwm"))   // /dev/pts/7
        #expect(try p.allows("c", 10, 200, "rw"))   // /dev/net/tun
        #expect(try !p.allows("c", 1, 1, "r"))      // /dev/mem
        #expect(try !p.allows("b", 8, 0, "r"))      // /dev/sda
        #expect(try p.allows("b", 8, 0, "m"))       // mknod of any block device is allowed
        #expect(try p.allows("c", 4, 1, "m"))
        #expect(try !p.allows("c", 4, 1, "rm"))
        #expect(try !p.allows("c", 10, 201, "r"))
    }

    /// The leading "deny a" is folded into the initial value, not emitted as a block.
    @Test func wildcardResetsEarlierRules() throws {
        let rules = [
            DeviceRule(allow: true, kind: .char, major: 1, minor: 1),
            DeviceRule(allow: false, kind: .all),
            DeviceRule(allow: true, kind: .char, major: 1, minor: 3),
        ]
        let program = try DeviceFilterProgram.generate(rules)
        // 7 prologue + (3 tests + 1 update) + 5 epilogue
        #expect(program.count == 16)
        let p = DeviceProgramInterpreter(program: program)
        #expect(try !p.allows("c", 1, 1, "r"))
        #expect(try p.allows("c", 1, 3, "r"))
    }

    @Test func allowAllIsPrivileged() throws {
        let p = try interpreter([DeviceRule(allow: true, kind: .all)])
        #expect(try p.allows("b", 8, 0, "rwm"))
        #expect(try p.allows("c", 1, 1, "rw"))
        #expect(try DeviceFilterProgram.generate([DeviceRule(allow: true, kind: .all)]).count == 12)
    }

    @Test func emptyListDeniesEverything() throws {
        let p = try interpreter([])
        #expect(try !p.allows("c", 1, 3, "r"))
        #expect(try !p.allows("b", 8, 0, "m"))
    }

    /// Later rules override earlier ones, also for part of the access bits.
    @Test func partialAccessOverrides() throws {
        let p = try interpreter([
            DeviceRule(allow: false, kind: .all),
            DeviceRule(allow: true, kind: .block, major: 8),
            DeviceRule(allow: false, kind: .block, major: 8, minor: 0, access: .write),
            DeviceRule(allow: true, kind: .char, major: 5, minor: 1, access: .read),
            DeviceRule(allow: true, kind: .char, major: 5, minor: 1, access: .write),
        ])
        #expect(try p.allows("b", 8, 0, "r"))
        #expect(try !p.allows("b", 8, 0, "rw"))
        #expect(try !p.allows("b", 8, 0, "w"))
        #expect(try p.allows("b", 8, 16, "rw"))
        #expect(try !p.allows("c", 8, 16, "r"))     // type matters
        #expect(try p.allows("c", 5, 1, "rw"))      // union of two allows
        #expect(try !p.allows("c", 5, 1, "m"))
    }

    @Test func denyListMode() throws {
        let p = try interpreter([
            DeviceRule(allow: true, kind: .all),
            DeviceRule(allow: false, kind: .char, major: 1, minor: 1),
            DeviceRule(allow: false, kind: .all, major: 8, access: [.read, .write]),
        ])
        #expect(try !p.allows("c", 1, 1, "r"))
        #expect(try p.allows("c", 1, 3, "rw"))
        #expect(try !p.allows("b", 8, 0, "r"))
        #expect(try !p.allows("c", 8, 0, "w"))
        #expect(try p.allows("b", 8, 0, "m"))
    }

    @Test func encoding() throws {
        // ldxw r2, [r1+0]
        #expect(EBPFInstruction.loadWord(dst: 2, src: 1, offset: 0).encoded == 0x0000_0000_0000_1261)
        // ldxw r5, [r1+8]
        #expect(EBPFInstruction.loadWord(dst: 5, src: 1, offset: 8).encoded == 0x0000_0000_0008_1561)
        // jne r4, 136, +2
        #expect(EBPFInstruction.jumpIfNotEqual(dst: 4, imm: 136, offset: 2).encoded == 0x0000_0088_0002_0455)
        // and32 r6, 0xfffffffd style immediates keep their bit pattern
        #expect(EBPFInstruction.alu32(EBPFInstruction.opMOV, dst: 0, imm: -1).encoded == 0xFFFF_FFFF_0000_00b4)
        #expect(EBPFInstruction.exit.encoded == 0x95)
    }

    @Test func jumpsStayInsideTheProgram() throws {
        let program = try DeviceFilterProgram.generate(DeviceRule.defaultRules)
        for (index, insn) in program.enumerated() where insn.code & 0x07 == EBPFInstruction.classJMP && insn.code != 0x95 {
            let target = index + 1 + Int(insn.offset)
            #expect(target > index && target < program.count)
        }
    }

    @Test func rejectsOutOfRangeNumbers() {
        #expect(throws: CgroupError.self) {
            try DeviceFilterProgram.generate([DeviceRule(allow: true, kind: .char, major: -5, minor: 1)])
        }
        #expect(throws: CgroupError.self) {
            try DeviceFilterProgram.generate([DeviceRule(allow: true, kind: .char, major: 1, minor: 1 << 40)])
        }
    }

    @Test func accessParsing() {
        #expect(DeviceRule.Access("rwm") == .all)
        #expect(DeviceRule.Access("") == [])
        #expect(DeviceRule.Access("rx") == nil)
        #expect(DeviceRule(allow: true, kind: .char, major: 136, access: .all).description == "c 136:* rwm")
    }
}
