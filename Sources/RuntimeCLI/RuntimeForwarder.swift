import Glibc

/// `swiftlet runtime ARGS...` becomes `swiftlet-runtime ARGS...`: the runtime CLI lives in its own
/// small binary (as runc beside containerd), so that no container operation loads the control
/// plane's libraries. `swiftlet` keeps the verb for users and replaces itself with the sibling
/// binary before parsing anything.
public enum RuntimeForwarder {
    public static let binaryName = "swiftlet-runtime"

    /// The runtime binary installed beside `executable` (the resolved path of the running one).
    public static func sibling(ofExecutable executable: String) -> String {
        guard let slash = executable.lastIndex(of: "/") else { return binaryName }
        return String(executable[..<slash]) + "/" + binaryName
    }

    /// What `exec` reports when the sibling cannot be run; `errno` is execv's.
    public static func failureMessage(path: String, errno code: Int32) -> String {
        let reason = String(cString: strerror(code))
        return "swiftlet: runtime: cannot run \(path): \(reason) (`swiftlet runtime` runs \(binaryName), "
            + "which must be installed in the same directory as swiftlet)\n"
    }

    /// Replaces this process with the sibling runtime binary, or prints why it cannot and exits
    /// as a shell does for a command it cannot run (127 missing, 126 otherwise).
    public static func exec(arguments: [String]) -> Never {
        let path = sibling(ofExecutable: currentExecutable() ?? CommandLine.arguments[0])
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        let code = errno
        let message = Array(failureMessage(path: path, errno: code).utf8)
        _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(code == ENOENT ? 127 : 126)
    }

    /// The running binary's path with symlinks resolved, as the kernel knows it.
    static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
