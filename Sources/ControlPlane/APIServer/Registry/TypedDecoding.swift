import FoundationEssentials
import KubeAPI

/// Checks that a body has the shape of its kind (numbers where numbers go, lists where lists go) by
/// decoding it into the typed KubeAPI struct, as kube's decoder would reject it: 400
/// `Pod in version "v1" cannot be handled as a Pod: ...`.
enum TypedDecoding {
    static func check(kind: String, _ object: JSONValue) -> String? {
        let data: Data
        do { data = Data(try object.serialized()) } catch { return "unencodable object" }
        let decoder = JSONDecoder()
        do {
            switch kind {
            case "Pod": _ = try decoder.decode(Pod.self, from: data)
            case "Service": _ = try decoder.decode(Service.self, from: data)
            case "Deployment": _ = try decoder.decode(Deployment.self, from: data)
            case "ReplicaSet": _ = try decoder.decode(ReplicaSet.self, from: data)
            case "Namespace": _ = try decoder.decode(Namespace.self, from: data)
            case "Node": _ = try decoder.decode(Node.self, from: data)
            case "ConfigMap": _ = try decoder.decode(ConfigMap.self, from: data)
            case "Secret": _ = try decoder.decode(Secret.self, from: data)
            case "ServiceAccount": _ = try decoder.decode(ServiceAccount.self, from: data)
            case "Endpoints": _ = try decoder.decode(Endpoints.self, from: data)
            case "Event": _ = try decoder.decode(Event.self, from: data)
            case "Lease": _ = try decoder.decode(Lease.self, from: data)
            case "EndpointSlice": _ = try decoder.decode(EndpointSlice.self, from: data)
            case "Binding": _ = try decoder.decode(Binding.self, from: data)
            default: _ = try decoder.decode(TypeMetaAndObjectMeta.self, from: data)
            }
            return nil
        } catch let error as DecodingError {
            return describe(error)
        } catch {
            return "\(error)"
        }
    }

    struct TypeMetaAndObjectMeta: Decodable { var metadata: ObjectMeta? }

    /// Go's json error style: `cannot unmarshal <what> into Go struct field <path> of type <type>`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ ctx: DecodingError.Context) -> String {
            ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
                .drop(while: { $0 == "." }).description
        }
        switch error {
        case .typeMismatch(let type, let ctx):
            return "json: cannot unmarshal into Go struct field \(path(ctx)) of type \(goType(type))"
        case .valueNotFound(let type, let ctx):
            return "json: cannot unmarshal null into Go struct field \(path(ctx)) of type \(goType(type))"
        case .keyNotFound(let key, let ctx):
            let p = path(ctx)
            return "json: missing required field \"\(key.stringValue)\"" + (p.isEmpty ? "" : " in \(p)")
        case .dataCorrupted(let ctx):
            return "json: invalid value for field \(path(ctx)): \(ctx.debugDescription)"
        @unknown default:
            return "json: \(error)"
        }
    }

    static func goType(_ t: Any.Type) -> String {
        switch "\(t)" {
        case "Int32": return "int32"
        case "Int64", "Int": return "int64"
        case "String": return "string"
        case "Bool": return "bool"
        case let s where s.hasPrefix("Array"): return "slice"
        case let s where s.hasPrefix("Dictionary"): return "map"
        default: return "object"
        }
    }
}
