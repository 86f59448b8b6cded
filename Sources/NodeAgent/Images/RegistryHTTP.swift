import SwiftletCSystem
import Glibc

/// One HTTP response from `RegistryHTTP.perform`.
struct RegistryHTTPResponse {
    var status: Int
    /// Header lines of the final response (after redirects), names as sent.
    var headers: [(name: String, value: String)]
    /// The collected body (for a streamed 2xx body: empty).
    var body: [UInt8]

    /// The first header of that name (case-insensitive).
    func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    func headers(_ name: String) -> [String] {
        let lower = name.lowercased()
        return headers.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    static func parseHeaders(_ text: String) -> [(name: String, value: String)] {
        var out: [(String, String)] = []
        for line in text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out.append((registryTrim(line[..<colon]), registryTrim(line[line.index(after: colon)...])))
        }
        return out
    }
}

/// A transport failure: no response (refused, reset, timeout, TLS, cut-off body, no libcurl).
struct RegistryHTTPFailure: Error {
    /// The CURLcode, or -1 when libcurl could not be loaded.
    var code: Int32
    var message: String

    /// Worth another attempt: the connection failed or broke, or timed out.
    var isTransient: Bool {
        switch code {
        case 6, 7,      // resolve host, connect (a registry restarting)
             18,        // partial file: the body stopped short
             28,        // timeout
             35,        // TLS connect error
             52, 55, 56, // nothing received, send error, recv error (reset)
             92:        // HTTP/2 stream error
            return true
        default: return false
        }
    }
}

/// The curl request options the registry client uses.
struct RegistryHTTPOptions {
    var caPath: String?
    var insecureTLS = false
    var connectTimeoutMs = 10_000
    var lowSpeedSeconds = 30
    var maxBody = 4 * 1024 * 1024
}

/// Calls into `swl_http_perform` (libcurl through dlopen), synchronously on this thread.
enum RegistryHTTP {
    /// Receives 2xx body bytes: (status, bytes) → false aborts the transfer.
    typealias Sink = (Int, UnsafeRawBufferPointer) -> Bool

    private final class SinkBox {
        let sink: Sink
        init(_ sink: @escaping Sink) { self.sink = sink }
    }

    static func perform(method: String, url: String, headers: [String], resumeFrom: Int64 = 0,
                        followRedirects: Bool = true, options: RegistryHTTPOptions,
                        sink: Sink? = nil) -> Result<RegistryHTTPResponse, RegistryHTTPFailure> {
        let cHeaders: [UnsafeMutablePointer<CChar>?] = headers.map { strdup($0) }
        defer { cHeaders.forEach { free($0) } }
        let box = sink.map(SinkBox.init)
        var response = swl_http_response()
        let rc: Int32 = method.withCString { cMethod in
            url.withCString { cURL in
                withOptionalCString(options.caPath) { cCA in
                    cHeaders.map { UnsafePointer($0) }.withUnsafeBufferPointer { hp in
                        var req = swl_http_request()
                        req.method = cMethod
                        req.url = cURL
                        req.headers = hp.baseAddress
                        req.header_count = Int32(hp.count)
                        req.resume_from = resumeFrom
                        req.follow_redirects = followRedirects ? 1 : 0
                        req.connect_timeout_ms = options.connectTimeoutMs
                        req.low_speed_seconds = options.lowSpeedSeconds
                        req.ca_path = cCA
                        req.insecure = options.insecureTLS ? 1 : 0
                        req.max_body = options.maxBody
                        if let box {
                            req.write_ctx = Unmanaged.passUnretained(box).toOpaque()
                            req.write = { ctx, status, data, len in
                                let box = Unmanaged<SinkBox>.fromOpaque(ctx!).takeUnretainedValue()
                                return box.sink(Int(status), UnsafeRawBufferPointer(start: data, count: len)) ? len : 0
                            }
                        }
                        return swl_http_perform(&req, &response)
                    }
                }
            }
        }
        withExtendedLifetime(box) {}
        defer { swl_http_response_free(&response) }
        if rc != 0 {
            let message = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return .failure(RegistryHTTPFailure(code: response.curl_code, message: message))
        }
        let headerText = response.headers.map { String(cString: $0) } ?? ""
        var body: [UInt8] = []
        if let b = response.body, response.body_len > 0 {
            body = Array(UnsafeRawBufferPointer(start: b, count: response.body_len))
        }
        return .success(RegistryHTTPResponse(status: Int(response.status),
                                             headers: RegistryHTTPResponse.parseHeaders(headerText), body: body))
    }

    private static func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let s else { return body(nil) }
        return s.withCString { body($0) }
    }
}

/// Spaces and tabs trimmed from both ends.
func registryTrim<S: StringProtocol>(_ s: S) -> String {
    var u = Substring(s)
    while let f = u.first, f == " " || f == "\t" { u = u.dropFirst() }
    while let l = u.last, l == " " || l == "\t" { u = u.dropLast() }
    return String(u)
}

/// `%XX` escapes for a URL query value (RFC 3986 unreserved characters pass).
func registryPercentEncode(_ s: String) -> String {
    var out = ""
    let hex = Array("0123456789ABCDEF")
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.append(Character(Unicode.Scalar(b)))
        default:
            out.append("%"); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
        }
    }
    return out
}
