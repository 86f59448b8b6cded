@testable import APIServer
import Channels
import Foundation
import KubeAPI
import Store

/// A started API server over a fresh in-memory store, and helpers to call it as kubectl would.
struct APITestEnv {
    /// The in-memory store, when the server runs over one (nil over a StoreMember).
    let memory: MemoryKeyValueClient?
    let server: KubeAPIServer

    init(store: MemoryKeyValueClient?, server: KubeAPIServer) {
        memory = store
        self.server = server
    }

    var store: MemoryKeyValueClient { memory! }

    static func make(config: APIServerConfig = APIServerConfig(advertiseAddress: "192.0.2.10")) async throws -> APITestEnv {
        let store = MemoryKeyValueClient()
        let server = KubeAPIServer(store: store, config: config)
        try await server.start()
        return APITestEnv(store: store, server: server)
    }

    static let admin = UserInfo(name: "admin", groups: ["system:masters"])

    func call(_ method: String, _ path: String, query: [(String, String)] = [], body: String? = nil,
              contentType: String = "application/json", headers: [(String, String)] = []) async -> APIResponse {
        var h: [(name: String, value: String)] = headers.map { (name: $0.0, value: $0.1) }
        if body != nil { h.append((name: "content-type", value: contentType)) }
        let req = APIRequest(method: method, path: path, query: query.map { (name: $0.0, value: $0.1) }, headers: h,
                             body: Array((body ?? "").utf8), user: APITestEnv.admin)
        return await server.handle(req)
    }

    /// Calls and returns status code and the JSON body.
    func json(_ method: String, _ path: String, query: [(String, String)] = [], body: String? = nil,
              contentType: String = "application/json") async throws -> (Int, JSONValue) {
        let r = await call(method, path, query: query, body: body, contentType: contentType)
        guard case .bytes(let b) = r.body else { throw TestError("expected a byte body for \(method) \(path)") }
        return (r.status, b.isEmpty ? .null : try JSONValue.parse(b))
    }

    func create(_ path: String, _ body: String) async throws -> JSONValue {
        let (code, v) = try await json("POST", path, body: body)
        guard code == 201 else { throw TestError("create \(path): \(code) \(v)") }
        return v
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Reads a watch stream line by line.
final class WatchReader: @unchecked Sendable {
    private let stream: ResponseStream
    private var buffer: [UInt8] = []

    init(_ response: APIResponse) throws {
        guard case .stream(let s) = response.body else { throw TestError("not a stream: \(response.status)") }
        stream = s
    }

    /// The next event as (type, object), nil when the stream ended.
    func next() async throws -> (String, JSONValue)? {
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<nl])
                buffer.removeFirst(nl + 1)
                let v = try JSONValue.parse(line)
                return (v["type"]?.stringValue ?? "", v["object"] ?? .null)
            }
            guard let chunk = await stream.next() else { return nil }
            buffer += chunk
        }
    }

    /// True when the stream ends with no further event.
    func ended() async throws -> Bool { try await next() == nil }

    /// The next `n` events, failing if the stream ends first or they take longer than `timeout`.
    func next(_ n: Int, timeout: Double = 10) async throws -> [(String, JSONValue)] {
        var out: [(String, JSONValue)] = []
        let deadline = Date().addingTimeInterval(timeout)
        while out.count < n {
            guard Date() < deadline else { throw TestError("timed out after \(out.count) of \(n) events") }
            guard let e = try await next() else { throw TestError("stream ended after \(out.count) of \(n) events") }
            out.append(e)
        }
        return out
    }
}

func podJSON(_ name: String, image: String = "nginx:1.25", labels: [String: String] = [:], extra: String = "") -> String {
    let l = labels.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
    return """
    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"\(name)","labels":{\(l)}},"spec":{"containers":[{"name":"c","image":"\(image)"}]\(extra)}}
    """
}
