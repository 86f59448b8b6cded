import Foundation
import Logging
@testable import NodeAgent

/// A throwaway directory tree that stands in for cgroup hierarchies: directories are cgroups
/// and pre-created plain files are the control files the "kernel" offers.
final class FakeCgroupTree {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.path + "/swiftlet-cgtest-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func dir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
    }

    /// Creates a control file (and its directory) with initial content.
    func file(_ relative: String, _ content: String = "") throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try content.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/" + relative)
    }
}

let cgroupTestLogger = Logger(label: "swiftlet.cgroup.tests")

/// Minimal interpreter for the instructions `DeviceFilterProgram` emits, so tests check what a
/// program decides for a device request rather than only its bytes.
struct DeviceProgramInterpreter {
    enum Failure: Error { case unknownOpcode(UInt8, at: Int), jumpOutOfRange(Int), noExit, tooManySteps }

    let program: [EBPFInstruction]

    /// Returns the program's verdict (1 allow, 0 deny) for a request.
    func run(type: Int32, access: Int32, major: UInt32, minor: UInt32) throws -> UInt64 {
        let ctx: [UInt32] = [UInt32(type) | (UInt32(access) << 16), major, minor]
        var regs = [UInt64](repeating: 0, count: 11)
        regs[1] = 0xC7C // stands for the context pointer; loads must go through it
        var pc = 0
        var steps = 0
        while pc < program.count {
            steps += 1
            if steps > 10_000 { throw Failure.tooManySteps }
            let insn = program[pc]
            let dst = Int(insn.dst), src = Int(insn.src)
            let imm32 = UInt32(bitPattern: insn.imm)
            switch insn.code {
            case 0x61: // ldxw
                guard regs[src] == 0xC7C, insn.offset % 4 == 0 else { throw Failure.unknownOpcode(insn.code, at: pc) }
                regs[dst] = UInt64(ctx[Int(insn.offset) / 4])
            case 0x54: regs[dst] = UInt64(UInt32(truncatingIfNeeded: regs[dst]) & imm32)
            case 0x5c: regs[dst] = UInt64(UInt32(truncatingIfNeeded: regs[dst]) & UInt32(truncatingIfNeeded: regs[src]))
            case 0x44: regs[dst] = UInt64(UInt32(truncatingIfNeeded: regs[dst]) | imm32)
            case 0x74: regs[dst] = UInt64(UInt32(truncatingIfNeeded: regs[dst]) >> imm32)
            case 0xb4: regs[dst] = UInt64(imm32)
            case 0x55: // jne imm (64-bit compare against sign-extended imm)
                if regs[dst] != UInt64(bitPattern: Int64(insn.imm)) { pc += Int(insn.offset) }
            case 0x1d: // jeq reg
                if regs[dst] == regs[src] { pc += Int(insn.offset) }
            case 0x95:
                return regs[0]
            default:
                throw Failure.unknownOpcode(insn.code, at: pc)
            }
            pc += 1
            if pc > program.count { throw Failure.jumpOutOfRange(pc) }
        }
        throw Failure.noExit
    }

    func allows(_ kind: Character, _ major: UInt32, _ minor: UInt32, _ access: String) throws -> Bool {
        let type = kind == "b" ? DeviceFilterProgram.devBlock : DeviceFilterProgram.devChar
        let bits = DeviceFilterProgram.bpfAccess(DeviceRule.Access(access) ?? [])
        return try run(type: type, access: bits, major: major, minor: minor) == 1
    }
}
