import SwiftletCSystem
import FoundationEssentials
import Glibc

/// Runs the hooks that execute in the runtime's namespace (prestart, createRuntime,
/// poststart, poststop) with the container's state on stdin, as the runtime spec says.
enum HookRunner {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ hooks: [Spec.Hook], phase: String, state: Data) throws(Failure) {
        for (i, hook) in hooks.enumerated() {
            try runOne(hook, name: "\(phase) hook [\(i)] \"\(hook.path)\"", state: state)
        }
    }

    private static func runOne(_ hook: Spec.Hook, name: String, state: Data) throws(Failure) {
        var fds: [Int32] = [-1, -1]
        guard swl_pipe_cloexec(&fds) == 0 else { throw Failure(description: "\(name): pipe: \(Errno(errno))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        let argv = (hook.args ?? [hook.path]).map { strdup($0) } + [nil]
        let envp = (hook.env ?? []).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, hook.path, &actions, nil, argv, envp)
        close(fds[0])
        guard rc == 0 else {
            close(fds[1])
            throw Failure(description: "\(name): \(Errno(rc))")
        }
        // A hook that does not read its stdin must not make us fail or hang.
        let previous = signal(SIGPIPE, SIG_IGN)
        state.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(fds[1], raw.baseAddress! + off, raw.count - off)
                if n <= 0 { if n < 0 && errno == EINTR { continue }; break }
                off += n
            }
        }
        close(fds[1])
        signal(SIGPIPE, previous)
        let status = try wait(pid, timeout: hook.timeout, name: name)
        let exit = ExitStatus(waitStatus: status)
        if exit.code != 0 { throw Failure(description: "\(name): \(exit)") }
    }

    private static func wait(_ pid: pid_t, timeout: Int?, name: String) throws(Failure) -> Int32 {
        var status: Int32 = 0
        let deadline = timeout.map { monotonicSeconds() + Double($0) }
        while true {
            let w = waitpid(pid, &status, deadline == nil ? 0 : WNOHANG)
            if w == pid { return status }
            if w < 0 && errno != EINTR { throw Failure(description: "\(name): wait: \(Errno(errno))") }
            if let d = deadline, w == 0 {
                if monotonicSeconds() > d {
                    kill(pid, SIGKILL)
                    _ = waitpid(pid, &status, 0)
                    throw Failure(description: "\(name): timed out after \(timeout ?? 0)s")
                }
                usleep(5000)
            }
        }
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
