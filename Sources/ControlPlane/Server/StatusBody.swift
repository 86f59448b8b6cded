import APIServer
import KubeAPI

/// Renders a `metav1.Status` as the API server writes it: the fields in Go's declaration order
/// (kind, apiVersion, metadata, status, message, reason, details, code) and a trailing newline, as
/// `json.Encoder` leaves. Only the HTTPS layer's own errors (401, 403, 413, 400) go through here;
/// everything else is the API handler's.
enum StatusBody {
    static func render(_ status: Status) -> [UInt8] {
        var out = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{}"
        if let s = status.status { out += ",\"status\":" + quoted(s) }
        if let m = status.message { out += ",\"message\":" + quoted(m) }
        if let r = status.reason { out += ",\"reason\":" + quoted(r) }
        if let d = status.details {
            var fields: [String] = []
            if let n = d.name { fields.append("\"name\":" + quoted(n)) }
            if let g = d.group { fields.append("\"group\":" + quoted(g)) }
            if let k = d.kind { fields.append("\"kind\":" + quoted(k)) }
            out += ",\"details\":{" + fields.joined(separator: ",") + "}"
        }
        if let c = status.code { out += ",\"code\":\(c)" }
        out += "}\n"
        return Array(out.utf8)
    }

    static func response(_ status: Status) -> APIResponse {
        APIResponse(status: Int(status.code ?? 500),
                    headers: [("content-type", "application/json"), ("cache-control", "no-cache, private")],
                    body: .bytes(render(status)))
    }

    /// JSON string literal, escaping as encoding/json does for the characters that matter here.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
