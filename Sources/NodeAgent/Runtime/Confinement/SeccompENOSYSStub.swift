import CSeccomp

/// A prefix for deny-by-default filters, as runc's "ENOSYS stub": a syscall numbered above
/// every syscall the profile names (on that architecture) fails with ENOSYS, not the
/// default EPERM. The profile cannot have meant to forbid a syscall newer than anything it
/// knows — and libseccomp 2.5.4 knows none after futex_requeue — while ENOSYS is what makes
/// programs fall back to an older call instead of failing.
enum SeccompENOSYSStub {
    static let auditArchX86_64: UInt32 = 0xC000_003E
    /// x32 system calls are x86_64 ones with this bit set; the filter proper handles them.
    static let x32SyscallBit: UInt32 = 0x4000_0000
    static let enosys: UInt32 = 38
    static let retErrno: UInt32 = 0x0005_0000

    // Classic BPF opcodes.
    static let loadWordAbsolute: UInt16 = 0x20
    static let jumpIfEqual: UInt16 = 0x15
    static let jumpIfGreater: UInt16 = 0x25
    static let jumpIfAnyBit: UInt16 = 0x45
    static let returnConstant: UInt16 = 0x06

    /// The highest syscall number the rules name on each architecture (libseccomp's arch
    /// tokens are the kernel's AUDIT_ARCH values).
    static func highestNamed(_ names: [String], architectures: [UInt32]) -> [(arch: UInt32, max: UInt32)] {
        architectures.compactMap { arch in
            let numbers = names.map { seccomp_syscall_resolve_name_arch(arch, $0) }.filter { $0 >= 0 }
            return numbers.max().map { (arch: arch, max: UInt32($0)) }
        }
    }

    /// One block per architecture; each ends by falling through to the next, and the last to
    /// the filter proper, which loads what it needs itself.
    static func instructions(_ limits: [(arch: UInt32, max: UInt32)]) -> [BPFInstruction] {
        var out: [BPFInstruction] = []
        for (arch, max) in limits {
            let isX86_64 = arch == auditArchX86_64
            out.append(BPFInstruction(code: loadWordAbsolute, jt: 0, jf: 0, k: 4))               // A = arch
            out.append(BPFInstruction(code: jumpIfEqual, jt: 0, jf: isX86_64 ? 4 : 3, k: arch))   // other arch: next block
            out.append(BPFInstruction(code: loadWordAbsolute, jt: 0, jf: 0, k: 0))               // A = nr
            if isX86_64 {
                out.append(BPFInstruction(code: jumpIfAnyBit, jt: 2, jf: 0, k: x32SyscallBit))   // x32: next block
            }
            out.append(BPFInstruction(code: jumpIfGreater, jt: 0, jf: 1, k: max))                 // newer than known?
            out.append(BPFInstruction(code: returnConstant, jt: 0, jf: 0, k: retErrno | enosys))
        }
        return out
    }

    static func prepend(_ limits: [(arch: UInt32, max: UInt32)], to program: SeccompProgram) -> SeccompProgram {
        var bytes: [UInt8] = []
        for i in instructions(limits) {
            withUnsafeBytes(of: i.code.littleEndian) { bytes += $0 }
            bytes += [i.jt, i.jf]
            withUnsafeBytes(of: i.k.littleEndian) { bytes += $0 }
        }
        return SeccompProgram(bytes: bytes + program.bytes, flags: program.flags)
    }
}
