import Glibc
import Testing
@testable import Store

/// kill -9 of a real process running a member under concurrent writes: every write it acknowledged
/// (printed after `put` returned) must be there when the data directory is opened again.
///
/// The writer is this test binary re-run with a filter selecting `crashChildWritesUntilKilled` and an
/// environment variable naming the data directory; without that variable that test does nothing.
@Suite("StoreMember, kill -9") struct StoreMemberCrashTests {
    static let childVariable = "SWIFTLET_STORE_CRASH_CHILD_DIR"

    @Test func crashChildWritesUntilKilled() async throws {
        guard let dir = getenv(Self.childVariable).map({ String(cString: $0) }) else { return }
        let m = try await StoreMember.start(singleMemberConfig(dir, port: UInt16(getenv("SWIFTLET_STORE_CRASH_CHILD_PORT").flatMap { UInt16(String(cString: $0)) } ?? 0)))
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<8 {
                group.addTask {
                    var n = 0
                    while true {
                        let key = "crash/\(w)/\(n)"
                        n += 1
                        if (try? await m.put(PutRequest(key: utf8(key), value: utf8("v")))) != nil {
                            let line = Array("ack \(key)\n".utf8)
                            _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
                        }
                    }
                }
            }
        }
    }

    @Test(arguments: [150, 900]) func acknowledgedWritesSurviveKill9(acksBeforeKill: Int) async throws {
        let dir = WALTempDir()
        defer { dir.remove() }
        let port = freeLoopbackPort()
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        let binary = CommandLine.arguments[0]
        let args = [binary, "--testing-library", "swift-testing", "--filter", "crashChildWritesUntilKilled"]
        var env: [String] = []
        var e = environ
        while let p = e.pointee { env.append(String(cString: p)); e += 1 }
        env += ["\(Self.childVariable)=\(dir.path)", "SWIFTLET_STORE_CRASH_CHILD_PORT=\(port)"]
        let argv = args.map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        close(fds[1])
        defer { close(fds[0]) }
        try #require(rc == 0)
        var killed = false
        defer { if !killed { kill(pid, SIGKILL); var st: Int32 = 0; waitpid(pid, &st, 0) } }

        // Read acknowledgements until enough arrived (or 60 s), then kill -9 mid-stream.
        var acked = Set<String>()
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        func drain(_ n: Int) {
            pending += buffer[0..<n]
            while let nl = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                pending.removeSubrange(...nl)
                if line.hasPrefix("ack ") { acked.insert(String(line.dropFirst(4))) }
            }
        }
        let deadline = monotonicMilliseconds() + 60_000
        while acked.count < acksBeforeKill && monotonicMilliseconds() < deadline {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            drain(n)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        killed = true
        // Everything printed before death was acknowledged too.
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            drain(n)
        }
        #expect(acked.count >= acksBeforeKill, "child acknowledged only \(acked.count) writes")

        let m = try await StoreMember.start(singleMemberConfig(dir.path, port: port))
        do {
            let r = try await m.range(RangeRequest(key: utf8("crash/"), end: prefixRangeEnd(utf8("crash/")), keysOnly: true))
            let present = Set(r.kvs.map { String(decoding: $0.key, as: UTF8.self) })
            let lost = acked.subtracting(present)
            #expect(lost.isEmpty, "\(lost.count) acknowledged writes lost, e.g. \(lost.sorted().prefix(5))")
        } catch {
            await m.stop()
            throw error
        }
        await m.stop()
    }
}
