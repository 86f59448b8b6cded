import CCap

#if canImport(Glibc)
import Glibc
#endif

/// The five capability sets as the container's init applies them with raw
/// syscalls (bit n = capability number n): it drops from the bounding set
/// everything not in `bounding`, capset()s effective/permitted/inheritable
/// and raises each ambient bit, without having to know any names.
public struct CapabilityMasks: Sendable, Hashable {
    public var bounding: UInt64
    public var effective: UInt64
    public var inheritable: UInt64
    public var permitted: UInt64
    public var ambient: UInt64

    public init(bounding: UInt64 = 0, effective: UInt64 = 0, inheritable: UInt64 = 0,
                permitted: UInt64 = 0, ambient: UInt64 = 0) {
        self.bounding = bounding
        self.effective = effective
        self.inheritable = inheritable
        self.permitted = permitted
        self.ambient = ambient
    }
}

/// `process.capabilities` resolved against libcap and the running kernel.
public struct ResolvedCapabilities: Sendable, Hashable {
    public var masks: CapabilityMasks
    /// Names libcap knows but the running kernel does not (number above
    /// cap_last_cap). They are left out of the masks, as runc does, since
    /// asking the kernel for them fails the whole capset; callers log them.
    public var unsupported: [String]
}

public enum Capabilities {
    /// Resolves names to masks. Unknown names are errors naming the field,
    /// e.g. `process.capabilities.bounding[2]: unknown capability "CAP_FOO"`.
    public static func resolve(
        _ capabilities: LinuxCapabilities?,
        path: String = "process.capabilities",
        lastCap: Int = kernelLastCap()
    ) throws(ConfinementError) -> ResolvedCapabilities {
        var unsupported: [String] = []
        func set(_ names: [String]?, _ field: String) throws(ConfinementError) -> UInt64 {
            let (mask, dropped) = try self.mask(names, path: "\(path).\(field)", lastCap: lastCap)
            for name in dropped where !unsupported.contains(name) { unsupported.append(name) }
            return mask
        }
        let masks = CapabilityMasks(
            bounding: try set(capabilities?.bounding, "bounding"),
            effective: try set(capabilities?.effective, "effective"),
            inheritable: try set(capabilities?.inheritable, "inheritable"),
            permitted: try set(capabilities?.permitted, "permitted"),
            ambient: try set(capabilities?.ambient, "ambient"))
        return ResolvedCapabilities(masks: masks, unsupported: unsupported)
    }

    /// One set: the mask of the names the kernel supports, and the names it does not.
    public static func mask(
        _ names: [String]?, path: String, lastCap: Int = kernelLastCap()
    ) throws(ConfinementError) -> (mask: UInt64, unsupported: [String]) {
        var mask: UInt64 = 0
        var unsupported: [String] = []
        for (i, name) in (names ?? []).enumerated() {
            guard let number = number(of: name) else {
                throw ConfinementError(path: "\(path)[\(i)]", reason: .unknownCapability(name))
            }
            if number > lastCap || number > 63 {
                if !unsupported.contains(name) { unsupported.append(name) }
                continue
            }
            mask |= 1 << UInt64(number)
        }
        return (mask, unsupported)
    }

    /// The capability number of an OCI name such as `CAP_NET_RAW`, or nil.
    /// libcap also accepts lower case and bare numbers; the OCI spec does not,
    /// and accepting "12" would let a typo grant an arbitrary capability.
    public static func number(of name: String) -> Int? {
        guard name.hasPrefix("CAP_"), name.count > 4, name == name.uppercased(),
              name.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (0x41...0x5a).contains($0) || (0x30...0x39).contains($0) })
        else { return nil }
        var value: cap_value_t = -1
        guard cap_from_name(name, &value) == 0, value >= 0 else { return nil }
        return Int(value)
    }

    /// The OCI names of the bits set in `mask`, lowest first (for logs and tests).
    public static func names(in mask: UInt64) -> [String] {
        (0..<64).compactMap { bit -> String? in
            guard mask & (1 << UInt64(bit)) != 0 else { return nil }
            guard let text = cap_to_name(cap_value_t(bit)) else { return "CAP_\(bit)" }
            defer { cap_free(text) }
            return String(cString: text).uppercased()
        }
    }

    /// The highest capability number the running kernel knows. Masks must not
    /// exceed it: PR_CAPBSET_DROP on an unknown number fails with EINVAL.
    public static func kernelLastCap(procFile: String = "/proc/sys/kernel/cap_last_cap") -> Int {
        if let text = readSmallFile(procFile),
           let value = Int(text.filter { !$0.isWhitespace }), value >= 0 {
            return min(value, 63)
        }
        // No /proc (or a hidden one): libcap probes the kernel itself.
        return max(0, min(Int(cap_max_bits()) - 1, 63))
    }

    private static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}
