/// One eBPF instruction in the kernel's 8-byte encoding (struct bpf_insn).
public struct EBPFInstruction: Sendable, Equatable, CustomStringConvertible {
    public var code: UInt8
    public var dst: UInt8
    public var src: UInt8
    public var offset: Int16
    public var imm: Int32

    public init(code: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, imm: Int32 = 0) {
        self.code = code
        self.dst = dst
        self.src = src
        self.offset = offset
        self.imm = imm
    }

    // Opcode pieces from linux/bpf_common.h and linux/bpf.h.
    public static let classLDX: UInt8 = 0x01
    public static let classALU: UInt8 = 0x04
    public static let classJMP: UInt8 = 0x05
    public static let sizeW: UInt8 = 0x00
    public static let modeMEM: UInt8 = 0x60
    public static let srcK: UInt8 = 0x00
    public static let srcX: UInt8 = 0x08
    public static let opOR: UInt8 = 0x40
    public static let opAND: UInt8 = 0x50
    public static let opRSH: UInt8 = 0x70
    public static let opMOV: UInt8 = 0xb0
    public static let jmpJEQ: UInt8 = 0x10
    public static let jmpJNE: UInt8 = 0x50
    public static let jmpEXIT: UInt8 = 0x90

    /// dst = *(u32 *)(src + off)
    public static func loadWord(dst: UInt8, src: UInt8, offset: Int16) -> EBPFInstruction {
        EBPFInstruction(code: classLDX | sizeW | modeMEM, dst: dst, src: src, offset: offset)
    }

    /// 32-bit ALU with an immediate; the upper half of dst is zeroed, as the verifier expects.
    public static func alu32(_ op: UInt8, dst: UInt8, imm: Int32) -> EBPFInstruction {
        EBPFInstruction(code: classALU | op | srcK, dst: dst, imm: imm)
    }

    /// if dst != imm goto +off
    public static func jumpIfNotEqual(dst: UInt8, imm: Int32, offset: Int16) -> EBPFInstruction {
        EBPFInstruction(code: classJMP | jmpJNE | srcK, dst: dst, offset: offset, imm: imm)
    }

    /// if dst == src goto +off
    public static func jumpIfEqualReg(dst: UInt8, src: UInt8, offset: Int16) -> EBPFInstruction {
        EBPFInstruction(code: classJMP | jmpJEQ | srcX, dst: dst, src: src, offset: offset)
    }

    /// dst &= src (32-bit)
    public static func and32Reg(dst: UInt8, src: UInt8) -> EBPFInstruction {
        EBPFInstruction(code: classALU | opAND | srcX, dst: dst, src: src)
    }

    public static let exit = EBPFInstruction(code: classJMP | jmpEXIT)

    /// Little-endian layout: code, dst:4|src:4, off (le16), imm (le32).
    public var encoded: UInt64 {
        UInt64(code)
            | UInt64((dst & 0x0f) | ((src & 0x0f) << 4)) << 8
            | UInt64(UInt16(bitPattern: offset)) << 16
            | UInt64(UInt32(bitPattern: imm)) << 32
    }

    public var description: String {
        "{code: 0x\(String(code, radix: 16)), dst: r\(dst), src: r\(src), off: \(offset), imm: \(imm)}"
    }
}

/// Builds the BPF_PROG_TYPE_CGROUP_DEVICE program that replaces the v1 devices controller on v2.
///
/// Semantics: the rules are applied in order to a per-device permission set that starts empty
/// (deny all); an allow rule adds its access bits for the devices it matches, a deny rule removes
/// them. A request passes when every bit it asks for is in the set. This is the intent of the v1
/// allow/deny files and of OCI ("later rules override earlier ones"), and, unlike a first-match
/// chain, it stays right when access strings only partly overlap (allow rwm, then deny w).
///
/// The kernel hands the program `struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }`
/// with the device type in the low 16 bits of access_type and the requested access in the high 16.
public enum DeviceFilterProgram {
    // BPF_DEVCG_* from linux/bpf.h.
    public static let devBlock: Int32 = 1
    public static let devChar: Int32 = 2
    public static let accMknod: Int32 = 1
    public static let accRead: Int32 = 2
    public static let accWrite: Int32 = 4
    static let accAll: Int32 = accMknod | accRead | accWrite

    /// Register roles: r1 = ctx, r2 = type, r3 = requested access, r4 = major, r5 = minor,
    /// r6 = permitted access for this device so far, r0 = verdict.
    static let rCtx: UInt8 = 1, rType: UInt8 = 2, rAccess: UInt8 = 3, rMajor: UInt8 = 4, rMinor: UInt8 = 5
    static let rPermitted: UInt8 = 6, rResult: UInt8 = 0

    public static let license = "Apache-2.0"

    public static func bpfAccess(_ access: DeviceRule.Access) -> Int32 {
        (access.contains(.read) ? accRead : 0) | (access.contains(.write) ? accWrite : 0)
            | (access.contains(.mknod) ? accMknod : 0)
    }

    public static func generate(_ rules: [DeviceRule]) throws -> [EBPFInstruction] {
        for rule in rules {
            for number in [rule.major, rule.minor].compactMap({ $0 }) where number < 0 || number > Int64(UInt32.max >> 12) {
                throw CgroupError(cgroup: nil, step: "device rule \"\(rule)\"",
                                  reason: .invalidResources("device number \(number) out of range"))
            }
        }
        // A full wildcard decides every device regardless of what came before it, so only the
        // rules after the last one matter; this keeps the usual "deny a; allow ..." list short.
        var initial: Int32 = 0
        var effective = rules
        if let last = rules.lastIndex(where: { $0.isFullWildcard }) {
            initial = rules[last].allow ? accAll : 0
            effective = Array(rules[(last + 1)...])
        }

        var program: [EBPFInstruction] = [
            .loadWord(dst: rType, src: rCtx, offset: 0),
            .alu32(EBPFInstruction.opAND, dst: rType, imm: 0xffff),
            .loadWord(dst: rAccess, src: rCtx, offset: 0),
            .alu32(EBPFInstruction.opRSH, dst: rAccess, imm: 16),
            .loadWord(dst: rMajor, src: rCtx, offset: 4),
            .loadWord(dst: rMinor, src: rCtx, offset: 8),
            .alu32(EBPFInstruction.opMOV, dst: rPermitted, imm: initial),
        ]
        for rule in effective {
            program += block(for: rule)
        }
        // r0 = 1; if (requested & permitted) == requested keep it, else r0 = 0.
        program += [
            .alu32(EBPFInstruction.opMOV, dst: rResult, imm: 1),
            .and32Reg(dst: rPermitted, src: rAccess),
            .jumpIfEqualReg(dst: rPermitted, src: rAccess, offset: 1),
            .alu32(EBPFInstruction.opMOV, dst: rResult, imm: 0),
            .exit,
        ]
        return program
    }

    /// Straight-line block: each mismatch jumps past the single update instruction at its end.
    static func block(for rule: DeviceRule) -> [EBPFInstruction] {
        let bits = bpfAccess(rule.access)
        guard bits != 0 else { return [] }
        var tests: [(register: UInt8, value: Int32)] = []
        switch rule.kind {
        case .char: tests.append((rType, devChar))
        case .block: tests.append((rType, devBlock))
        case .all: break
        }
        if let major = rule.major { tests.append((rMajor, Int32(major))) }
        if let minor = rule.minor { tests.append((rMinor, Int32(minor))) }
        var out: [EBPFInstruction] = []
        for (index, test) in tests.enumerated() {
            // Jump over the remaining tests and the update.
            let skip = Int16(tests.count - index - 1 + 1)
            out.append(.jumpIfNotEqual(dst: test.register, imm: test.value, offset: skip))
        }
        out.append(rule.allow
            ? .alu32(EBPFInstruction.opOR, dst: rPermitted, imm: bits)
            : .alu32(EBPFInstruction.opAND, dst: rPermitted, imm: ~bits & accAll))
        return out
    }
}
