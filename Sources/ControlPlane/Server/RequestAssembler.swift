import APIServer
import KubeAPI
import NIOCore
import NIOHTTP1

/// Turns the HTTP/1.1 parts of one connection into whole requests, bounding each body. A state
/// machine: each input returns what the connection should do; it does no I/O.
struct RequestAssembler {
    /// A request read in full, before authentication.
    struct Received: Sendable {
        var method: String
        var path: String
        var query: [(name: String, value: String)]
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var keepAlive: Bool
    }

    enum Action {
        case none
        /// The client waits for `100 Continue` before sending the body.
        case sendContinue
        case request(Received)
        /// Answer with this response and close the connection (the rest of the body is not read).
        case reject(APIResponse)
    }

    private enum State {
        case idle
        case body(Received, expectsContinue: Bool)
        /// After a rejection: ignore everything until the connection closes.
        case discarding
    }

    let maxBodyBytes: Int
    private var state = State.idle

    init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    mutating func receive(_ part: HTTPServerRequestPart) -> Action {
        switch (state, part) {
        case (.idle, .head(let head)):
            let headers = head.headers.map { (name: $0.name.lowercased(), value: $0.value) }
            let (path, query) = Self.splitURI(head.uri)
            let request = Received(method: head.method.rawValue, path: path, query: query, headers: headers,
                                   body: [], keepAlive: head.isKeepAlive)
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
                state = .discarding
                return .reject(tooLarge)
            }
            let expects = head.headers.first(name: "expect")?.lowercased() == "100-continue"
            state = .body(request, expectsContinue: expects)
            return expects ? .sendContinue : .none
        case (.body(var request, let expects), .body(let buffer)):
            if request.body.count + buffer.readableBytes > maxBodyBytes {
                state = .discarding
                return .reject(tooLarge)
            }
            request.body.append(contentsOf: buffer.readableBytesView)
            state = .body(request, expectsContinue: expects)
            return .none
        case (.body(let request, _), .end):
            state = .idle
            return .request(request)
        case (.discarding, _):
            return .none
        default:
            // NIOHTTP1's decoder never produces parts out of order; treat it as a broken stream.
            state = .discarding
            return .reject(StatusBody.response(Status.badRequest("malformed HTTP request")))
        }
    }

    private var tooLarge: APIResponse {
        StatusBody.response(Status.requestEntityTooLarge("limit is \(maxBodyBytes)"))
    }

    /// `/a%2Fb/c?x=1&y` -> ("/a/b/c", [("x","1"), ("y","")]), decoding as Go's url package does
    /// (`+` is a space in the query only).
    static func splitURI(_ uri: String) -> (String, [(name: String, value: String)]) {
        let pathPart: Substring, queryPart: Substring
        if let q = uri.firstIndex(of: "?") {
            pathPart = uri[..<q]
            queryPart = uri[uri.index(after: q)...]
        } else {
            pathPart = uri[...]
            queryPart = ""
        }
        var query: [(name: String, value: String)] = []
        for pair in queryPart.split(whereSeparator: { $0 == "&" || $0 == ";" }) where !pair.isEmpty {
            if let eq = pair.firstIndex(of: "=") {
                query.append((percentDecode(pair[..<eq], plusIsSpace: true),
                              percentDecode(pair[pair.index(after: eq)...], plusIsSpace: true)))
            } else {
                query.append((percentDecode(pair, plusIsSpace: true), ""))
            }
        }
        return (percentDecode(pathPart, plusIsSpace: false), query)
    }

    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(plusIsSpace && b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
