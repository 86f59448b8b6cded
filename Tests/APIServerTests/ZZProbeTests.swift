@testable import APIServer
import Foundation
import Testing

@Suite struct ZZProbeTests {
    @Test func probe() async throws {
        guard ProcessInfo.processInfo.environment["SWIFTLET_PROBE"] != nil else { return }
        let env = try await APITestEnv.make()
        defer { env.server.stop() }
        let k = try KubectlHarness(handler: env.server)
        defer { k.close() }
        for args in (ProcessInfo.processInfo.environment["SWIFTLET_PROBE"] ?? "").split(separator: "|") {
            let r = try await k.run(args.split(separator: " ").map(String.init))
            print("=== \(args) -> \(r.code)\n\(r.out)\n\(r.err.split(separator: "\n").filter { $0.contains("Content-Type") || $0.contains("Request Body") || $0.contains("Response Body") || $0.contains("GET") || $0.contains("POST") || $0.contains("PATCH") || $0.contains("error") || $0.contains("Error") || !$0.contains("I1124") }.joined(separator: "\n"))")
        }
    }
}
