/// Shorthand for writing definitions: one line per field.
typealias F = SchemaField

enum SchemaBuilder {
    static let corePrefix = "io.k8s.api.core.v1."
    static func core(_ name: String) -> SchemaType { .ref(corePrefix + name) }
    static func meta(_ name: String) -> SchemaType { .ref(SchemaNames.meta + name) }
    static func apps(_ name: String) -> SchemaType { .ref("io.k8s.api.apps.v1." + name) }
    static func discovery(_ name: String) -> SchemaType { .ref("io.k8s.api.discovery.v1." + name) }
    static let quantity: SchemaType = .ref(SchemaNames.quantity)
    static let intOrString: SchemaType = .ref(SchemaNames.intOrString)
    static let time: SchemaType = meta("Time")
    static let microTime: SchemaType = meta("MicroTime")
    static let strings: SchemaType = .array(.string)
    static let stringMap: SchemaType = .map(.string)
    static let resourceList: SchemaType = .map(quantity)

    static func object(_ name: String, _ description: String, required: [String] = [],
                       _ fields: [SchemaField]) -> SchemaDefinition {
        SchemaDefinition(name: name, description: description, shape: .object(fields), required: required)
    }

    static let apiVersionField = F("apiVersion", .string,
        "The versioned schema of this representation of an object (group/version), e.g. \"v1\" or \"apps/v1\".")
    static let kindField = F("kind", .string, "The REST resource this object represents, in CamelCase, e.g. \"Pod\".")
    static let metadataField = F("metadata", meta("ObjectMeta"), "Standard object metadata: name, namespace, labels, ...")

    /// A served kind: apiVersion, kind and metadata first, then its own fields.
    static func kind(_ group: String, _ version: String, _ kind: String, _ description: String,
                     required: [String] = [], _ fields: [SchemaField]) -> SchemaDefinition {
        SchemaDefinition(name: SchemaNames.definitionName(group: group, version: version, kind: kind),
                         description: description,
                         shape: .object([apiVersionField, kindField, metadataField] + fields), required: required,
                         groupVersionKinds: [GroupVersionKind(group: group, version: version, kind: kind)])
    }

    /// `<Kind>List`: apiVersion, kind, metadata (ListMeta) and items.
    static func list(of item: SchemaDefinition) -> SchemaDefinition? {
        guard let gvk = item.groupVersionKinds.first else { return nil }
        let listKind = gvk.kind + "List"
        return SchemaDefinition(
            name: SchemaNames.definitionName(group: gvk.group, version: gvk.version, kind: listKind),
            description: "A list of \(gvk.kind) objects.",
            shape: .object([apiVersionField, kindField,
                             F("metadata", meta("ListMeta"), "Standard list metadata: resourceVersion, continue."),
                             F("items", .array(.ref(item.name)), "The \(gvk.kind) objects.")]),
            required: ["items"],
            groupVersionKinds: [GroupVersionKind(group: gvk.group, version: gvk.version, kind: listKind)])
    }
}
