import KubeAPI

/// Where a kind lives in the API, resolved from `APIResourceCatalog` by its group and kind.
public struct ResourcePath: Hashable, Sendable {
    public var info: APIResourceInfo

    public init(info: APIResourceInfo) { self.info = info }

    /// The catalog entry for `T` (its `apiVersion` gives the group, its `kind` the rest).
    public init<T: KubeObject>(for type: T.Type) throws(KubeClientError) {
        let (group, version) = splitAPIVersion(T.apiVersion)
        guard let info = APIResourceCatalog.resource(group: group, kind: T.kind), info.version == version else {
            throw .unknownResource("\(T.kind) in \(T.apiVersion) is not in the API resource catalog")
        }
        self.info = info
    }

    /// `/api/v1/namespaces/ns/pods/name/status`, `/apis/apps/v1/deployments`, …
    /// A nil namespace on a namespaced resource addresses all namespaces (list and watch).
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) throws(KubeClientError) -> String {
        var p = info.group.isEmpty ? "/api/\(info.version)" : "/apis/\(info.group)/\(info.version)"
        if info.namespaced, let namespace, !namespace.isEmpty {
            p += "/namespaces/" + percentEncode(namespace)
        } else if info.namespaced, name != nil {
            throw .unknownResource("\(info.kind) \"\(name ?? "")\" is namespaced: give its namespace")
        }
        p += "/" + info.name
        if let name {
            guard !name.isEmpty else { throw .unknownResource("\(info.kind): empty name") }
            p += "/" + percentEncode(name)
        }
        if let subresource {
            guard info.subresources.contains(where: { $0.name == subresource }) else {
                throw .unknownResource("\(info.kind) has no subresource \"\(subresource)\"")
            }
            p += "/" + subresource
        }
        return p
    }
}

func splitAPIVersion(_ apiVersion: String) -> (group: String, version: String) {
    guard let slash = apiVersion.firstIndex(of: "/") else { return ("", apiVersion) }
    return (String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...]))
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
func percentEncode(_ s: String) -> String {
    var out = ""
    for byte in s.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            out += "%"
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
        }
    }
    return out
}

/// `?a=b&c=d` from the non-nil pairs, in order; "" when there are none.
func queryString(_ pairs: [(String, String?)]) -> String {
    let present = pairs.compactMap { key, value in value.map { percentEncode(key) + "=" + percentEncode($0) } }
    return present.isEmpty ? "" : "?" + present.joined(separator: "&")
}
