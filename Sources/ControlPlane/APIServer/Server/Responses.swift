import KubeAPI
import Store

/// Building `APIResponse`s: JSON bodies, Status errors, plain text.
enum Responses {
    static let jsonHeaders: [(name: String, value: String)] = [("content-type", "application/json")]

    static func json(_ code: Int, _ value: JSONValue, warnings: [String] = []) -> APIResponse {
        let bytes = (try? value.serialized()) ?? []
        var headers = jsonHeaders
        for w in warnings { headers.append(("warning", "299 - \"" + escapeQuotes(w) + "\"")) }
        return APIResponse(status: code, headers: headers, body: .bytes(bytes))
    }

    static func escapeQuotes(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "\"" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    static func encoded(_ code: Int, _ value: some Encodable) -> APIResponse {
        guard let v = try? JSONValue(encoding: value) else { return status(.internalError("encoding failed")) }
        return json(code, v)
    }

    static func status(_ s: Status) -> APIResponse {
        encoded(Int(s.code ?? 500), s)
    }

    static func text(_ code: Int, _ text: String) -> APIResponse {
        APIResponse(status: code, headers: [("content-type", "text/plain; charset=utf-8"),
                                            ("x-content-type-options", "nosniff")],
                    body: .bytes(Array(text.utf8)))
    }

    static let notFound = Status(status: "Failure", message: "the server could not find the requested resource",
                                 reason: "NotFound", details: StatusDetails(), code: 404)

    /// Store and other unexpected errors as the apiserver words them.
    static func status(for error: any Error) -> Status {
        switch error {
        case let s as Status: return s
        case MVCCError.compacted(let c): return Status.expired("too old resource version: (\(c))")
        case MVCCError.futureRevision:
            return Status.timeout("Too large resource version", retryAfterSeconds: 1)
        case let e as KeyValueClientError:
            switch e {
            case .unavailable(let why): return Status.serviceUnavailable("etcdserver: \(why)")
            case .timeout(let what): return Status.timeout("request did not complete within requested timeout - \(what)", retryAfterSeconds: 1)
            case .requestTooLarge: return Status.requestEntityTooLarge("limit is 3145728")
            case .rejected(let why): return Status.internalError(why)
            }
        case let e as PatchError:
            return e.status
        default:
            return Status.internalError("\(error)")
        }
    }
}

extension Status {
    static func failureStatus(_ reason: String, _ code: Int32, _ message: String) -> Status {
        Status(status: "Failure", message: message, reason: reason, code: code)
    }
}
