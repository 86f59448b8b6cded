import ControlPlane
import Testing

@Suite("control loop timing flags")
struct ControlLoopTimingsTests {
    @Test("Go durations as kube's flags take them", arguments: [
        ("40s", Duration.seconds(40)), ("500ms", .milliseconds(500)), ("1m30s", .seconds(90)), ("1.5h", .seconds(5400)),
        ("0", .zero), ("250us", .microseconds(250)), ("2m", .seconds(120)), ("40", .seconds(40)), ("0.5", .milliseconds(500)),
    ])
    func parses(_ text: String, _ expected: Duration) throws {
        #expect(try ControlLoopTimings.parseDuration(text) == expected)
    }

    @Test("a unit without a number, a sign, an unknown unit or a trailing number is refused", arguments: ["s", "", "-1s", "-1", "1x", "1s2"])
    func refuses(_ text: String) {
        #expect(throws: ConfigError.invalidDuration(text)) { try ControlLoopTimings.parseDuration(text) }
    }

    @Test("lease duration > renew deadline > retry period, as client-go demands")
    func ordering() throws {
        var t = ControlLoopTimings()
        try t.validate()
        t.renewDeadline = .seconds(20)
        #expect(throws: ConfigError.self) { try t.validate() }
        t = ControlLoopTimings()
        t.retryPeriod = .seconds(10)
        #expect(throws: ConfigError.self) { try t.validate() }
    }

    @Test("swiftlet server refuses a renew deadline longer than the lease, naming the flags")
    func serverRefuses() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try await run(ServerProcess.binary, ["server", "--data-dir", dir.path + "/d", "--secure-port", "0",
                                                     "--leader-elect-lease-duration=2s", "--leader-elect-renew-deadline=3s"])
        #expect(r.code != 0)
        #expect(r.err.contains("--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline"), "\(r.err)")
    }
}
