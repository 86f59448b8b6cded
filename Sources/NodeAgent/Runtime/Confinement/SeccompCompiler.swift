import CSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// Turns `linux.seccomp` into a BPF program with libseccomp, in the parent.
///
/// Where the OCI spec leaves room, this follows runc and crun so that profiles
/// written for them mean the same here, with one deliberate difference: a
/// syscall name that exists on none of the filter's architectures is an error,
/// not a warning, so a typo cannot silently leave a syscall unfiltered.
///
/// Known libseccomp 2.5.4 defect (runc and crun share it): if the only rules
/// for an architecture are socketcall/ipc demultiplexed ones (e.g. a deny
/// list naming just `recv` or `semop`, filtering i386), that architecture's
/// block never loads the syscall number and the rules do not match. Profiles
/// with any direct rule on that architecture, such as the default one, are
/// unaffected; `SeccompCompilerTests.libseccompMultiplexOnlyBlockBug` tracks it.
public enum SeccompCompiler {
    /// Syscalls have six arguments; libseccomp's SCMP_A0...SCMP_A5.
    static let argumentCount: UInt = 6

    /// Above this many rules libseccomp's binary-tree layout (optimize level 2)
    /// shortens the path to a verdict. runc uses the same threshold because
    /// libseccomp <= 2.5.4 misbehaves with tree optimization and no rules.
    static let binaryTreeThreshold = 32

    public static func compile(
        _ spec: LinuxSeccomp,
        path: String = "linux.seccomp"
    ) throws(ConfinementError) -> SeccompProgram {
        if let listener = spec.listenerPath, !listener.isEmpty {
            throw ConfinementError(path: "\(path).listenerPath", reason: .unsupportedListener)
        }
        let flags = try parseFlags(spec.flags, path: "\(path).flags")
        let defaultAction = try parseAction(
            spec.defaultAction, errnoRet: spec.defaultErrnoRet,
            actionPath: "\(path).defaultAction", errnoPath: "\(path).defaultErrnoRet")
        let architectures = try parseArchitectures(spec.architectures, path: "\(path).architectures")

        // Everything is validated before libseccomp is touched, so an invalid
        // config is reported the same way whatever libseccomp would have said.
        var rules: [Rule] = []
        for (i, syscall) in (spec.syscalls ?? []).enumerated() {
            try plan(syscall, path: "\(path).syscalls[\(i)]", defaultAction: defaultAction,
                     architectures: architectures, into: &rules)
        }

        guard let context = seccomp_init(defaultAction.rawValue) else {
            throw ConfinementError(path: "\(path).defaultAction",
                                   reason: .libseccomp(operation: "seccomp_init", errno: EINVAL))
        }
        defer { seccomp_release(context) }

        // The runtime sets no_new_privs itself (or not, per process.noNewPrivileges);
        // the exported program must not depend on libseccomp doing it at load.
        try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_NNP, 0), "seccomp_attr_set(CTL_NNP)", path: path)
        if rules.count > binaryTreeThreshold {
            // Best effort: a library without the attribute still builds a correct, linear filter.
            _ = seccomp_attr_set(context, SCMP_FLTATR_CTL_OPTIMIZE, 2)
        }
        for arch in architectures {
            let rc = seccomp_arch_add(context, arch.token)
            if rc != 0 && rc != -EEXIST {
                throw ConfinementError(path: "\(path).architectures",
                                       reason: .libseccomp(operation: "seccomp_arch_add(\(arch))", errno: -rc))
            }
        }
        for rule in rules {
            try add(rule, to: context)
        }
        let program = SeccompProgram(bytes: try export(context, path: path), flags: flags)
        switch defaultAction {
        case .allow, .log:
            return program
        default:
            // Every name the profile mentions counts as known, including those whose rule
            // repeats the default action and so never became a libseccomp rule.
            let named = (spec.syscalls ?? []).flatMap(\.names)
            let limits = SeccompENOSYSStub.highestNamed(named, architectures: architectures.map(\.token))
            let stubbed = SeccompENOSYSStub.prepend(limits, to: program)
            return stubbed.instructionCount <= SeccompProgram.maxInstructions ? stubbed : program
        }
    }

    /// Whether a filter for `architectures` (plus the native one) can match
    /// `name`: the check `compile` applies to every syscall name.
    public static func canFilter(_ name: String, architectures: [String]?) -> Bool {
        guard let arches = try? parseArchitectures(architectures, path: "") else { return false }
        return (try? resolve(name, on: arches, path: "")) != nil
    }

    // MARK: - Validation

    private struct Rule {
        let path: String
        let name: String
        let number: Int32
        let action: SeccompAction
        /// Each inner array becomes one libseccomp rule (its conditions ANDed);
        /// separate rules for the same syscall and action are ORed.
        let conditionSets: [[scmp_arg_cmp]]
    }

    static func parseFlags(_ flags: [String]?, path: String) throws(ConfinementError) -> SeccompFilterFlags {
        var result: SeccompFilterFlags = []
        for (i, flag) in (flags ?? []).enumerated() {
            switch flag {
            case "SECCOMP_FILTER_FLAG_TSYNC": result.insert(.tsync)
            case "SECCOMP_FILTER_FLAG_LOG": result.insert(.log)
            case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": result.insert(.specAllow)
            // Only meaningful with a notify listener, which we do not implement;
            // the kernel would reject it at load time anyway.
            case "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV":
                throw ConfinementError(path: "\(path)[\(i)]", reason: .unsupportedFlag(flag))
            default:
                throw ConfinementError(path: "\(path)[\(i)]", reason: .invalidFlag(flag))
            }
        }
        return result
    }

    static func parseAction(
        _ name: String, errnoRet: UInt?, actionPath: String, errnoPath: String
    ) throws(ConfinementError) -> SeccompAction {
        // EPERM is the spec's default errnoRet; runc and crun also hand it to TRACE as the tracer's data.
        var data = UInt16(EPERM)
        if let errnoRet {
            guard name == "SCMP_ACT_ERRNO" || name == "SCMP_ACT_TRACE" else {
                // Report the action first if it is not even valid.
                _ = try parseAction(name, errnoRet: nil, actionPath: actionPath, errnoPath: errnoPath)
                throw ConfinementError(path: errnoPath, reason: .errnoNotAllowed(action: name))
            }
            guard let narrow = UInt16(exactly: errnoRet) else {
                throw ConfinementError(path: errnoPath, reason: .errnoOutOfRange(errnoRet))
            }
            data = narrow
        }
        switch name {
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return .killThread
        case "SCMP_ACT_KILL_PROCESS": return .killProcess
        case "SCMP_ACT_TRAP": return .trap
        case "SCMP_ACT_ERRNO": return .errno(data)
        case "SCMP_ACT_TRACE": return .trace(data)
        case "SCMP_ACT_ALLOW": return .allow
        case "SCMP_ACT_LOG": return .log
        // Notify needs a listener fd handed to an agent over listenerPath; not built.
        case "SCMP_ACT_NOTIFY":
            throw ConfinementError(path: actionPath, reason: .unsupportedAction(name))
        default:
            throw ConfinementError(path: actionPath, reason: .invalidAction(name))
        }
    }

    static func parseOperator(_ op: String, path: String) throws(ConfinementError) -> scmp_compare {
        switch op {
        case "SCMP_CMP_NE": return SCMP_CMP_NE
        case "SCMP_CMP_LT": return SCMP_CMP_LT
        case "SCMP_CMP_LE": return SCMP_CMP_LE
        case "SCMP_CMP_EQ": return SCMP_CMP_EQ
        case "SCMP_CMP_GE": return SCMP_CMP_GE
        case "SCMP_CMP_GT": return SCMP_CMP_GT
        case "SCMP_CMP_MASKED_EQ": return SCMP_CMP_MASKED_EQ
        default: throw ConfinementError(path: path, reason: .invalidOperator(op))
        }
    }

    /// The native architecture first, then the requested ones without repeats.
    static func parseArchitectures(_ names: [String]?, path: String) throws(ConfinementError) -> [SeccompArchitecture] {
        var result = [SeccompArchitecture.native]
        for (i, name) in (names ?? []).enumerated() {
            let arch = try SeccompArchitecture(ociName: name, path: "\(path)[\(i)]")
            if !result.contains(where: { $0.token == arch.token }) {
                result.append(arch)
            }
        }
        return result
    }

    /// The number to hand seccomp_rule_add: libseccomp's native number for the
    /// name (possibly a negative pseudo number that it translates per architecture).
    static func resolve(
        _ name: String, on architectures: [SeccompArchitecture], path: String
    ) throws(ConfinementError) -> Int32 {
        guard !name.isEmpty else {
            throw ConfinementError(path: path, reason: .emptySyscallName)
        }
        var knownAnywhere = false
        for arch in architectures {
            let number = seccomp_syscall_resolve_name_arch(arch.token, name)
            switch classify(number, on: arch) {
            case .unknown: continue
            case .absent: knownAnywhere = true
            case .present: return seccomp_syscall_resolve_name(name)
            }
        }
        if knownAnywhere {
            throw ConfinementError(path: path, reason: .syscallNotOnArchitectures(
                name, architectures: architectures.map(\.ociName)))
        }
        throw ConfinementError(path: path, reason: .unknownSyscall(name))
    }

    private enum Resolution { case present, absent, unknown }

    /// libseccomp's numbering: >= 0 is a real syscall; __NR_SCMP_ERROR (-1) an
    /// unknown name; -101...-199 and -201...-299 are socketcall(2) and ipc(2)
    /// operations, which libseccomp turns into rules on the multiplexer where
    /// the architecture has one (i386) and which do not exist elsewhere; from
    /// -10000 down are names that do not exist on that architecture.
    private static func classify(_ number: Int32, on arch: SeccompArchitecture) -> Resolution {
        if number >= 0 { return .present }
        if number == __NR_SCMP_ERROR { return .unknown }
        let multiplexer: String
        switch number {
        case -199 ... -101: multiplexer = "socketcall"
        case -299 ... -201: multiplexer = "ipc"
        default: return .absent
        }
        return seccomp_syscall_resolve_name_arch(arch.token, multiplexer) >= 0 ? .present : .absent
    }

    private static func plan(
        _ syscall: LinuxSyscall, path: String, defaultAction: SeccompAction,
        architectures: [SeccompArchitecture], into rules: inout [Rule]
    ) throws(ConfinementError) {
        let action = try parseAction(syscall.action, errnoRet: syscall.errnoRet,
                                     actionPath: "\(path).action", errnoPath: "\(path).errnoRet")
        guard !syscall.names.isEmpty else {
            throw ConfinementError(path: "\(path).names", reason: .emptySyscallNames)
        }
        var numbers: [Int32] = []
        for (j, name) in syscall.names.enumerated() {
            numbers.append(try resolve(name, on: architectures, path: "\(path).names[\(j)]"))
        }

        var conditions: [scmp_arg_cmp] = []
        var seenIndices = Set<UInt>()
        var repeatsIndex = false
        for (k, arg) in (syscall.args ?? []).enumerated() {
            let argPath = "\(path).args[\(k)]"
            guard arg.index < argumentCount else {
                throw ConfinementError(path: "\(argPath).index", reason: .argumentIndexOutOfRange(arg.index))
            }
            let op = try parseOperator(arg.op, path: "\(argPath).op")
            // valueTwo only means something to MASKED_EQ (the value under the mask).
            let datumB: UInt64 = op == SCMP_CMP_MASKED_EQ ? (arg.valueTwo ?? 0) : 0
            conditions.append(scmp_arg_cmp(arg: UInt32(arg.index), op: op, datum_a: arg.value, datum_b: datumB))
            repeatsIndex = !seenIndices.insert(arg.index).inserted || repeatsIndex
        }

        // libseccomp rejects a rule that repeats its default action.
        guard action != defaultAction else { return }

        // Conditions on distinct arguments are ANDed in one rule. libseccomp
        // refuses two conditions on the same argument in one rule; runc and
        // crun then add every condition as its own rule (OR), and profiles in
        // the wild rely on that, so do the same. Note the consequence:
        // "arg0 != A, arg0 != B" matches everything.
        let conditionSets: [[scmp_arg_cmp]]
        if conditions.isEmpty {
            conditionSets = [[]]
        } else if repeatsIndex {
            conditionSets = conditions.map { [$0] }
        } else {
            conditionSets = [conditions]
        }
        for (j, name) in syscall.names.enumerated() {
            rules.append(Rule(path: "\(path).names[\(j)]", name: name, number: numbers[j],
                              action: action, conditionSets: conditionSets))
        }
    }

    // MARK: - libseccomp

    private static func add(_ rule: Rule, to context: scmp_filter_ctx) throws(ConfinementError) {
        for conditions in rule.conditionSets {
            let rc = conditions.withUnsafeBufferPointer { buffer in
                seccomp_rule_add_array(context, rule.action.rawValue, rule.number,
                                       UInt32(buffer.count), buffer.baseAddress)
            }
            try check(rc, "seccomp_rule_add(\(rule.name))", path: rule.path)
        }
    }

    private static func check(_ rc: Int32, _ operation: String, path: String) throws(ConfinementError) {
        if rc < 0 {
            throw ConfinementError(path: path, reason: .libseccomp(operation: operation, errno: -rc))
        }
    }

    /// libseccomp 2.5 can only export to a file descriptor. An anonymous temp
    /// file (glibc opens it O_TMPFILE, so it never has a name) cannot block the
    /// way a pipe would on a large filter; memfd_create would be nicer but Glibc
    /// only declares it under _GNU_SOURCE, which the Swift overlay lacks.
    private static func export(_ context: scmp_filter_ctx, path: String) throws(ConfinementError) -> [UInt8] {
        guard let file = tmpfile() else {
            throw ConfinementError(path: path, reason: .system(operation: "tmpfile", errno: errno))
        }
        defer { fclose(file) }
        let fd = fileno(file)
        try check(seccomp_export_bpf(context, fd), "seccomp_export_bpf", path: path)
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            throw ConfinementError(path: path, reason: .system(operation: "lseek(seccomp memfd)", errno: errno))
        }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw ConfinementError(path: path, reason: .system(operation: "read(seccomp memfd)", errno: errno))
            }
            bytes.append(contentsOf: chunk[0..<n])
        }

        guard bytes.count % SeccompProgram.instructionSize == 0 else {
            throw ConfinementError(path: path, reason: .system(operation: "seccomp_export_bpf (truncated program)", errno: EIO))
        }
        let count = bytes.count / SeccompProgram.instructionSize
        guard count <= SeccompProgram.maxInstructions else {
            throw ConfinementError(path: path, reason: .filterTooLarge(
                instructions: count, limit: SeccompProgram.maxInstructions))
        }
        return bytes
    }
}
