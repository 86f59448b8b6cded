/// The OpenAPI v3 documents kubectl reads (`kubectl explain`, apply's patch metadata, and the check for
/// server-side field validation): `/openapi/v3` lists one document per group-version, each addressed by
/// the SHA-512 of its bytes (`/openapi/v3/api/v1?hash=<HEX>`), so clients may cache it forever.
public enum OpenAPIV3 {
    public static let infoVersion = "v1.32.0"

    /// A served group-version document: its index key ("api/v1", "apis/apps/v1"), bytes and hash.
    public struct Document: Sendable {
        public var path: String
        public var bytes: [UInt8]
        /// Uppercase hex SHA-512 of `bytes`, the ETag and the `hash` query parameter.
        public var hash: String
        public var serverRelativeURL: String { "/openapi/v3/\(path)?hash=\(hash)" }
    }

    /// The served group-versions, core first, in `/apis` order.
    public static var groupVersions: [(group: String, version: String)] {
        [("", "v1")] + APIResourceCatalog.groups.flatMap { g in g.versions.map { (g.name, $0) } }
    }

    /// Every document, computed once.
    public static let documents: [String: Document] = {
        var out: [String: Document] = [:]
        for (group, version) in groupVersions {
            let path = APIOperations.groupVersionPath(group: group, version: version)
            // Serializing a JSONValue built from our own tables cannot fail; an empty document would be
            // caught by the tests that parse every document back.
            let bytes = (try? document(group: group, version: version).serialized()) ?? []
            out[path] = Document(path: path, bytes: bytes, hash: SHA512.hexDigest(bytes))
        }
        return out
    }()

    /// The document for a request path below /openapi/v3/ ("api/v1", "apis/apps/v1"), nil if not served.
    public static func document(path: String) -> Document? { documents[path] }

    /// `/openapi/v3`: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}, ...}}`.
    public static func index() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for (path, d) in documents { paths[path] = .object(["serverRelativeURL": .string(d.serverRelativeURL)]) }
        return .object(["paths": .object(paths)])
    }

    public static func indexBytes() -> [UInt8] { (try? index().serialized()) ?? [] }

    /// The OpenAPI 3.0 document of one group-version: its operations and every schema they reach.
    public static func document(group: String, version: String) -> JSONValue {
        let operations = APIOperations.operations(group: group, version: version)
        var paths: [String: JSONValue] = [:]
        for op in operations {
            var item = paths[op.path]?.objectValue ?? [:]
            item[op.method] = operation(op)
            paths[op.path] = .object(item)
        }
        let roots = operations.flatMap { [$0.bodyDefinition, $0.responseDefinition].compactMap { $0 } }
        var schemas: [String: JSONValue] = [:]
        for d in APISchema.closure(of: roots) { schemas[d.name] = SchemaJSON.definition(d, .v3) }
        return .object([
            "openapi": .string("3.0.0"),
            "info": .object(["title": .string("Kubernetes"), "version": .string(infoVersion)]),
            "paths": .object(paths),
            "components": .object([
                "schemas": .object(schemas),
                "securitySchemes": .object(["BearerToken": .object([
                    "type": .string("apiKey"), "name": .string("authorization"), "in": .string("header"),
                    "description": .string("Bearer Token authentication"),
                ])]),
            ]),
        ])
    }

    static let patchContentTypes = ["application/apply-patch+yaml", "application/json-patch+json",
                                    "application/merge-patch+json", "application/strategic-merge-patch+json"]

    static func operation(_ op: APIOperation) -> JSONValue {
        func ref(_ name: String) -> JSONValue { .object(["$ref": .string("#/components/schemas/" + name)]) }
        var out: [String: JSONValue] = [
            "description": .string(op.description),
            "operationId": .string(op.operationID),
            "tags": .array([.string(op.tag)]),
            "x-kubernetes-action": .string(op.action),
            "parameters": .array(op.parameters.map(parameter)),
        ]
        if let gvk = op.gvk { out["x-kubernetes-group-version-kind"] = SchemaJSON.gvk(gvk) }
        if let body = op.bodyDefinition {
            let types = op.method == "patch" ? patchContentTypes : ["*/*"]
            var content: [String: JSONValue] = [:]
            for t in types { content[t] = .object(["schema": ref(body)]) }
            out["requestBody"] = .object(["content": .object(content), "required": .bool(op.method != "delete")])
        }
        var responses: [String: JSONValue] = ["401": .object(["description": .string("Unauthorized")])]
        let codes: [String] = switch op.method {
        case "post": ["200", "201", "202"]
        case "put", "patch": ["200", "201"]
        case "delete": ["200", "202"]
        default: ["200"]
        }
        let names = ["200": "OK", "201": "Created", "202": "Accepted"]
        for code in codes {
            var response: [String: JSONValue] = ["description": .string(names[code] ?? code)]
            if let r = op.responseDefinition {
                response["content"] = .object([
                    "application/json": .object(["schema": ref(r)]),
                    "application/yaml": .object(["schema": ref(r)]),
                    "application/vnd.kubernetes.protobuf": .object(["schema": ref(r)]),
                ])
            } else {
                response["content"] = .object(["*/*": .object(["schema": .object(["type": .string("string")])])])
            }
            responses[code] = .object(response)
        }
        out["responses"] = .object(responses)
        return .object(out)
    }

    static func parameter(_ p: APIOperation.Parameter) -> JSONValue {
        var schema: [String: JSONValue] = ["type": .string(p.type)]
        if p.uniqueItems { schema["uniqueItems"] = .bool(true) }
        var out: [String: JSONValue] = [
            "name": .string(p.name), "in": .string(p.location.rawValue), "description": .string(p.description),
            "schema": .object(schema),
        ]
        if p.required { out["required"] = .bool(true) }
        return .object(out)
    }
}
