/// The Swagger 2.0 document as gnostic's `openapi.v2.Document` protobuf (OpenAPIv2.proto), what kubectl
/// decodes from `/openapi/v2` with `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
/// Field numbers follow that proto; only the parts our document uses are written. Vendor extensions
/// travel as `Any.yaml` text, which kubectl parses with a YAML decoder (JSON text is YAML).
public enum OpenAPIV2Protobuf {
    public static func encodeDocument(_ doc: JSONValue) -> [UInt8] {
        var w = ProtobufWriter()
        w.string(1, doc["swagger"]?.stringValue)
        if let info = doc["info"] {
            w.message(2) { m in
                m.string(1, info["title"]?.stringValue)
                m.string(2, info["version"]?.stringValue)
            }
        }
        if let paths = doc["paths"]?.objectValue {
            w.message(8) { m in
                for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
                    m.message(2) { named in
                        named.string(1, path)
                        named.message(2) { encodePathItem(item, &$0) }
                    }
                }
            }
        }
        if let definitions = doc["definitions"]?.objectValue {
            w.message(9) { m in
                for (name, schema) in definitions.sorted(by: { $0.key < $1.key }) {
                    m.message(1) { named in
                        named.string(1, name)
                        named.message(2) { encodeSchema(schema, &$0) }
                    }
                }
            }
        }
        for requirement in doc["security"]?.arrayValue ?? [] {
            w.message(12) { m in
                for (name, scopes) in (requirement.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                    m.message(1) { named in
                        named.string(1, name)
                        named.message(2) { $0.strings(1, scopes.arrayValue?.compactMap(\.stringValue) ?? []) }
                    }
                }
            }
        }
        if let securityDefinitions = doc["securityDefinitions"]?.objectValue {
            w.message(13) { m in
                for (name, def) in securityDefinitions.sorted(by: { $0.key < $1.key }) {
                    m.message(1) { named in
                        named.string(1, name)
                        named.message(2) { item in
                            item.message(2) { key in  // api_key_security
                                key.string(1, def["type"]?.stringValue)
                                key.string(2, def["name"]?.stringValue)
                                key.string(3, def["in"]?.stringValue)
                                key.string(4, def["description"]?.stringValue)
                            }
                        }
                    }
                }
            }
        }
        return w.bytes
    }

    static let operationFields = ["get": 2, "put": 3, "post": 4, "delete": 5, "options": 6, "head": 7, "patch": 8]

    static func encodePathItem(_ item: JSONValue, _ w: inout ProtobufWriter) {
        for (method, field) in operationFields.sorted(by: { $0.value < $1.value }) {
            guard let op = item[method] else { continue }
            w.message(field) { encodeOperation(op, &$0) }
        }
    }

    static func encodeOperation(_ op: JSONValue, _ w: inout ProtobufWriter) {
        func strings(_ key: String) -> [String] { op[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        w.strings(1, strings("tags"))
        w.string(3, op["description"]?.stringValue)
        w.string(5, op["operationId"]?.stringValue)
        w.strings(6, strings("produces"))
        w.strings(7, strings("consumes"))
        for p in op["parameters"]?.arrayValue ?? [] {
            w.message(8) { item in item.message(1) { encodeParameter(p, &$0) } }
        }
        if let responses = op["responses"]?.objectValue {
            w.message(9) { m in
                for (code, response) in responses.sorted(by: { $0.key < $1.key }) {
                    m.message(1) { named in
                        named.string(1, code)
                        named.message(2) { value in
                            value.message(1) { r in
                                r.string(1, response["description"]?.stringValue)
                                if let schema = response["schema"] {
                                    r.message(2) { item in item.message(1) { encodeSchema(schema, &$0) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        w.strings(10, strings("schemes"))
        encodeExtensions(op, field: 13, &w)
    }

    static func encodeParameter(_ p: JSONValue, _ w: inout ProtobufWriter) {
        let location = p["in"]?.stringValue ?? ""
        if location == "body" {
            w.message(1) { b in
                b.string(1, p["description"]?.stringValue)
                b.string(2, p["name"]?.stringValue)
                b.string(3, location)
                b.bool(4, p["required"]?.boolValue)
                if let schema = p["schema"] { b.message(5) { encodeSchema(schema, &$0) } }
            }
            return
        }
        w.message(2) { nonBody in
            // query_parameter_sub_schema = 3, path_parameter_sub_schema = 4; both start
            // required, in, description, name; then type is 6 (query) or 5 (path).
            let isPath = location == "path"
            nonBody.message(isPath ? 4 : 3) { s in
                s.bool(1, p["required"]?.boolValue)
                s.string(2, location)
                s.string(3, p["description"]?.stringValue)
                s.string(4, p["name"]?.stringValue)
                s.string(isPath ? 5 : 6, p["type"]?.stringValue)
                s.bool(isPath ? 19 : 20, p["uniqueItems"]?.boolValue)
            }
        }
    }

    static func encodeSchema(_ s: JSONValue, _ w: inout ProtobufWriter) {
        w.string(1, s["$ref"]?.stringValue)
        w.string(2, s["format"]?.stringValue)
        w.string(4, s["description"]?.stringValue)
        w.bool(16, s["uniqueItems"]?.boolValue)
        w.strings(19, s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        if let additional = s["additionalProperties"] {
            w.message(21) { item in item.message(1) { encodeSchema(additional, &$0) } }
        }
        if let type = s["type"]?.stringValue {
            w.message(22) { $0.strings(1, [type]) }
        }
        if let items = s["items"] {
            w.message(23) { item in item.message(1) { encodeSchema(items, &$0) } }
        }
        if let properties = s["properties"]?.objectValue {
            w.message(25) { m in
                for (name, property) in properties.sorted(by: { $0.key < $1.key }) {
                    m.message(1) { named in
                        named.string(1, name)
                        named.message(2) { encodeSchema(property, &$0) }
                    }
                }
            }
        }
        encodeExtensions(s, field: 31, &w)
    }

    /// `x-` keys as NamedAny { name, Any { yaml } }.
    static func encodeExtensions(_ object: JSONValue, field: Int, _ w: inout ProtobufWriter) {
        for (key, value) in (object.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) where key.hasPrefix("x-") {
            guard let text = try? value.serialized() else { continue }
            w.message(field) { named in
                named.string(1, key)
                named.message(2) { $0.string(2, String(decoding: text, as: UTF8.self)) }
            }
        }
    }
}
