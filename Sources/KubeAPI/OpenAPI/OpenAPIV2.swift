/// The Swagger 2.0 document of every served API (`/openapi/v2`): what kubectl validates against on the
/// client side, reads patch metadata from when v3 is unavailable, and fetches (as protobuf) before any
/// `apply` or `create` with validation on. JSON here; `OpenAPIV2Protobuf` encodes it as gnostic's
/// `openapi.v2.Document`, the form kubectl asks for.
public enum OpenAPIV2 {
    /// The document, computed once.
    public static let document: JSONValue = build()

    /// The JSON bytes and the protobuf bytes, computed once, with their ETags (uppercase hex SHA-512,
    /// as kube-openapi's handler names them).
    public static let jsonBytes: [UInt8] = (try? document.serialized()) ?? []
    public static let protobufBytes: [UInt8] = OpenAPIV2Protobuf.encodeDocument(document)
    public static let jsonETag = SHA512.hexDigest(jsonBytes)
    public static let protobufETag = SHA512.hexDigest(protobufBytes)

    /// The protobuf media type kubectl sends in Accept.
    public static let protobufMediaType = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"

    static func build() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var roots: [String] = []
        for (group, version) in OpenAPIV3.groupVersions {
            for op in APIOperations.operations(group: group, version: version) {
                var item = paths[op.path]?.objectValue ?? [:]
                item[op.method] = operation(op)
                paths[op.path] = .object(item)
                roots += [op.bodyDefinition, op.responseDefinition].compactMap { $0 }
            }
        }
        var definitions: [String: JSONValue] = [:]
        for d in APISchema.closure(of: roots) { definitions[d.name] = SchemaJSON.definition(d, .v2) }
        return .object([
            "swagger": .string("2.0"),
            "info": .object(["title": .string("Kubernetes"), "version": .string(OpenAPIV3.infoVersion)]),
            "paths": .object(paths),
            "definitions": .object(definitions),
            "securityDefinitions": .object(["BearerToken": .object([
                "type": .string("apiKey"), "name": .string("authorization"), "in": .string("header"),
                "description": .string("Bearer Token authentication"),
            ])]),
            "security": .array([.object(["BearerToken": .array([])])]),
        ])
    }

    static func operation(_ op: APIOperation) -> JSONValue {
        func ref(_ name: String) -> JSONValue { .object(["$ref": .string("#/definitions/" + name)]) }
        var parameters: [JSONValue] = op.parameters.map { p in
            var out: [String: JSONValue] = [
                "name": .string(p.name), "in": .string(p.location.rawValue), "type": .string(p.type),
                "description": .string(p.description),
            ]
            if p.required { out["required"] = .bool(true) }
            if p.uniqueItems { out["uniqueItems"] = .bool(true) }
            return .object(out)
        }
        if let body = op.bodyDefinition {
            parameters.append(.object(["name": .string("body"), "in": .string("body"),
                                       "required": .bool(op.method != "delete"), "schema": ref(body)]))
        }
        var responses: [String: JSONValue] = ["401": .object(["description": .string("Unauthorized")])]
        let codes: [(String, String)] = switch op.method {
        case "post": [("200", "OK"), ("201", "Created"), ("202", "Accepted")]
        case "put", "patch": [("200", "OK"), ("201", "Created")]
        case "delete": [("200", "OK"), ("202", "Accepted")]
        default: [("200", "OK")]
        }
        for (code, text) in codes {
            var response: [String: JSONValue] = ["description": .string(text)]
            response["schema"] = op.responseDefinition.map(ref) ?? .object(["type": .string("string")])
            responses[code] = .object(response)
        }
        var out: [String: JSONValue] = [
            "description": .string(op.description),
            "operationId": .string(op.operationID),
            "tags": .array([.string(op.tag)]),
            "consumes": .array((op.method == "patch" ? OpenAPIV3.patchContentTypes : ["*/*"]).map(JSONValue.string)),
            "produces": .array(["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"].map(JSONValue.string)),
            "schemes": .array([.string("https")]),
            "parameters": .array(parameters),
            "responses": .object(responses),
            "x-kubernetes-action": .string(op.action),
        ]
        if let gvk = op.gvk { out["x-kubernetes-group-version-kind"] = SchemaJSON.gvk(gvk) }
        return .object(out)
    }
}
