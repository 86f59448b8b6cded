import Glibc

/// Runs a program (found on PATH) with inherited stdio and environment and waits for it: the
/// benchmark's one external step, `kubectl apply`.
enum SpawnAndWait {
    struct Failure: Error, CustomStringConvertible {
        var step: String
        var program: String
        var code: Int32
        var description: String { "\(step) \(program): \(code)" }
    }

    /// The exit status (128 + signal when killed).
    static func run(_ arguments: [String]) throws(Failure) -> Int32 {
        guard let program = arguments.first else { throw Failure(step: "spawn", program: "(none)", code: EINVAL) }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, program, nil, nil, argv, environ)
        guard rc == 0 else { throw Failure(step: "posix_spawnp", program: program, code: rc) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw Failure(step: "waitpid", program: program, code: errno) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
