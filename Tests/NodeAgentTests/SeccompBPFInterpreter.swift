@testable import NodeAgent

/// `struct seccomp_data` as the kernel hands it to a filter.
struct SeccompData {
    static let auditArchX86_64: UInt32 = 0xC000_003E
    static let auditArchI386: UInt32 = 0x4000_0003
    /// x32 syscalls arrive with AUDIT_ARCH_X86_64 and this bit set in nr.
    static let x32SyscallBit: Int32 = 0x4000_0000

    var nr: Int32
    var arch: UInt32 = auditArchX86_64
    var instructionPointer: UInt64 = 0
    var args: [UInt64] = [0, 0, 0, 0, 0, 0]

    init(nr: Int32, arch: UInt32 = auditArchX86_64, args: [UInt64] = []) {
        self.nr = nr
        self.arch = arch
        for (i, arg) in args.prefix(6).enumerated() { self.args[i] = arg }
    }

    /// 32-bit little-endian word at `offset`, as BPF_LD|BPF_W|BPF_ABS reads it.
    func word(at offset: UInt32) -> UInt32? {
        switch offset {
        case 0: return UInt32(bitPattern: nr)
        case 4: return arch
        case 8: return UInt32(truncatingIfNeeded: instructionPointer)
        case 12: return UInt32(truncatingIfNeeded: instructionPointer >> 32)
        case 16..<64 where offset % 4 == 0:
            let arg = args[Int(offset - 16) / 8]
            return offset % 8 == 0 ? UInt32(truncatingIfNeeded: arg) : UInt32(truncatingIfNeeded: arg >> 32)
        default: return nil
        }
    }
}

/// A classic-BPF interpreter restricted to what seccomp filters may use, so
/// tests can ask a compiled program what it does with a syscall.
enum BPFInterpreter {
    struct Fault: Error, CustomStringConvertible {
        let pc: Int
        let reason: String
        var description: String { "BPF fault at \(pc): \(reason)" }
    }

    static func run(_ program: SeccompProgram, _ data: SeccompData) throws -> SeccompAction {
        SeccompAction(rawValue: try run(program.instructions, data))
    }

    static func run(_ program: [BPFInstruction], _ data: SeccompData) throws -> UInt32 {
        var a: UInt32 = 0
        var x: UInt32 = 0
        var scratch = [UInt32](repeating: 0, count: 16)
        var pc = 0
        // Jumps only go forward, so every run ends within program.count steps.
        while pc < program.count {
            let ins = program[pc]
            let code = ins.code
            let k = ins.k
            pc += 1
            switch code & 0x07 {
            case 0x00, 0x01: // BPF_LD, BPF_LDX
                let value: UInt32
                switch code & 0xe0 {
                case 0x00: value = k // IMM
                case 0x20: // ABS
                    guard code & 0x18 == 0x00, let word = data.word(at: k) else {
                        throw Fault(pc: pc - 1, reason: "bad load offset \(k) code \(code)")
                    }
                    value = word
                case 0x60: // MEM
                    guard k < 16 else { throw Fault(pc: pc - 1, reason: "bad scratch slot \(k)") }
                    value = scratch[Int(k)]
                case 0x80: value = 64 // LEN: sizeof(struct seccomp_data)
                default: throw Fault(pc: pc - 1, reason: "unsupported load mode in code \(code)")
                }
                if code & 0x07 == 0x00 { a = value } else { x = value }
            case 0x02, 0x03: // BPF_ST, BPF_STX
                guard k < 16 else { throw Fault(pc: pc - 1, reason: "bad scratch slot \(k)") }
                scratch[Int(k)] = code & 0x07 == 0x02 ? a : x
            case 0x04: // BPF_ALU
                let operand = code & 0x08 == 0 ? k : x
                switch code & 0xf0 {
                case 0x00: a = a &+ operand
                case 0x10: a = a &- operand
                case 0x20: a = a &* operand
                case 0x30:
                    guard operand != 0 else { return 0 } // the kernel's verdict for division by zero
                    a /= operand
                case 0x40: a |= operand
                case 0x50: a &= operand
                case 0x60: a = operand >= 32 ? 0 : a << operand
                case 0x70: a = operand >= 32 ? 0 : a >> operand
                case 0x80: a = 0 &- a
                case 0x90:
                    guard operand != 0 else { return 0 }
                    a %= operand
                case 0xa0: a ^= operand
                default: throw Fault(pc: pc - 1, reason: "unsupported ALU code \(code)")
                }
            case 0x05: // BPF_JMP
                let operand = code & 0x08 == 0 ? k : x
                let taken: Bool
                switch code & 0xf0 {
                case 0x00:
                    pc += Int(k)
                    continue
                case 0x10: taken = a == operand
                case 0x20: taken = a > operand
                case 0x30: taken = a >= operand
                case 0x40: taken = a & operand != 0
                default: throw Fault(pc: pc - 1, reason: "unsupported JMP code \(code)")
                }
                pc += Int(taken ? ins.jt : ins.jf)
            case 0x06: // BPF_RET
                switch code & 0x18 {
                case 0x00: return k
                case 0x10: return a
                default: throw Fault(pc: pc - 1, reason: "unsupported RET code \(code)")
                }
            default: // BPF_MISC
                switch code & 0xf8 {
                case 0x00: x = a // TAX
                case 0x80: a = x // TXA
                default: throw Fault(pc: pc - 1, reason: "unsupported MISC code \(code)")
                }
            }
        }
        throw Fault(pc: pc, reason: "fell off the end of the program")
    }
}

/// x86_64 and i386 syscall numbers the tests use, written out rather than
/// asked of libseccomp so the tests also check libseccomp's mapping.
enum X86_64 {
    static let read: Int32 = 0, write: Int32 = 1, socket: Int32 = 41, clone: Int32 = 56, execve: Int32 = 59
    static let ptrace: Int32 = 101, syslog: Int32 = 103, personality: Int32 = 135, arch_prctl: Int32 = 158
    static let chroot: Int32 = 161, acct: Int32 = 163, settimeofday: Int32 = 164, mount: Int32 = 165
    static let umount2: Int32 = 166, swapon: Int32 = 167, reboot: Int32 = 169, iopl: Int32 = 172
    static let init_module: Int32 = 175, mbind: Int32 = 237, kexec_load: Int32 = 246, add_key: Int32 = 248
    static let request_key: Int32 = 249, keyctl: Int32 = 250, unshare: Int32 = 272, open_by_handle_at: Int32 = 304
    static let setns: Int32 = 308, kcmp: Int32 = 312, bpf: Int32 = 321, userfaultfd: Int32 = 323
    static let uretprobe: Int32 = 335, io_uring_setup: Int32 = 425, clone3: Int32 = 435, pidfd_getfd: Int32 = 438
    static let process_madvise: Int32 = 440, fchmodat2: Int32 = 452, statmount: Int32 = 457
}

enum I386 {
    static let read: Int32 = 3, mount: Int32 = 21, socketcall: Int32 = 102, clone: Int32 = 120
    static let personality: Int32 = 136, chown32: Int32 = 212, unshare: Int32 = 310, socket: Int32 = 359
}
