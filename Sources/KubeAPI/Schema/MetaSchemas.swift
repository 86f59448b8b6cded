/// meta/v1 (and apimachinery scalar) definitions shared by every kind.
extension SchemaBuilder {
    static let m = SchemaNames.meta

    static func metaKind(_ kind: String, _ description: String, gvks: [GroupVersionKind], required: [String] = [],
                         _ fields: [SchemaField]) -> SchemaDefinition {
        SchemaDefinition(name: m + kind, description: description, shape: .object(fields), required: required,
                         groupVersionKinds: gvks)
    }

    /// Option kinds are registered in every group-version, as in Kubernetes.
    static func everyGroup(_ kind: String) -> [GroupVersionKind] {
        [GroupVersionKind(group: "", version: "v1", kind: kind)]
            + APIResourceCatalog.groups.flatMap { g in g.versions.map { GroupVersionKind(group: g.name, version: $0, kind: kind) } }
            + [GroupVersionKind(group: "autoscaling", version: "v1", kind: kind),
               GroupVersionKind(group: "policy", version: "v1", kind: kind),
               GroupVersionKind(group: "meta.k8s.io", version: "v1", kind: kind)]
    }

    static let metaDefinitions: [SchemaDefinition] = [
        SchemaDefinition(name: SchemaNames.quantity,
                         description: "A fixed-point amount with a unit suffix: \"100m\" CPU, \"128Mi\" memory, \"1e3\", \"2G\".",
                         shape: .scalar(type: "string", format: nil)),
        SchemaDefinition(name: SchemaNames.intOrString,
                         description: "An integer or a string (a port number or name, a count or a percentage).",
                         shape: .scalar(type: "string", format: "int-or-string")),
        SchemaDefinition(name: m + "Time", description: "A time in RFC 3339 form, whole seconds, UTC.",
                         shape: .scalar(type: "string", format: "date-time")),
        SchemaDefinition(name: m + "MicroTime", description: "A time in RFC 3339 form with microseconds, UTC.",
                         shape: .scalar(type: "string", format: "date-time")),
        SchemaDefinition(name: m + "FieldsV1", description: "A set of fields, as a trie in JSON.", shape: .freeForm),
        SchemaDefinition(name: m + "Patch", description: "The body of a PATCH request: a JSON patch, a merge patch, a strategic merge patch or an apply configuration.",
                         shape: .freeForm),
        SchemaDefinition(name: "io.k8s.apimachinery.pkg.runtime.RawExtension", description: "Any embedded object.",
                         shape: .freeForm),
        object(m + "ObjectMeta", "Metadata every persisted object has.", [
            F("name", .string, "The object's name, unique within its namespace and kind."),
            F("generateName", .string, "A prefix the server completes to a unique name when name is empty."),
            F("namespace", .string, "The object's namespace; empty for cluster-scoped kinds."),
            F("selfLink", .string, "Deprecated; not set."),
            F("uid", .string, "The object's unique ID, set by the server (read-only)."),
            F("resourceVersion", .string, "An opaque version of the object, for optimistic concurrency and watches (read-only)."),
            F("generation", .int64, "The generation of the desired state (read-only)."),
            F("creationTimestamp", time, "When the object was created (read-only)."),
            F("deletionTimestamp", time, "When the object will be deleted; set on graceful deletion (read-only)."),
            F("deletionGracePeriodSeconds", .int64, "Seconds allowed for graceful deletion (read-only)."),
            F("labels", stringMap, "Key/value pairs to organize and select objects by."),
            F("annotations", stringMap, "Key/value pairs for tools and extensions; not selectable."),
            F("ownerReferences", .array(meta("OwnerReference")), "Objects this one depends on; garbage collected with them."),
            F("finalizers", strings, "Must all be removed before the object is deleted."),
            F("managedFields", .array(meta("ManagedFieldsEntry")), "Field ownership of server-side apply. Accepted; not kept."),
        ]),
        object(m + "ManagedFieldsEntry", "The fields one manager owns.", [
            F("manager", .string, "The manager's name."), F("operation", .string, "Apply or Update."),
            F("apiVersion", .string, "The version the fields are written in."),
            F("time", time, "When the fields were last changed."),
            F("fieldsType", .string, "FieldsV1."), F("fieldsV1", meta("FieldsV1"), "The fields."),
            F("subresource", .string, "The subresource written through."),
        ]),
        object(m + "OwnerReference", "An object that owns this one.", required: ["apiVersion", "kind", "name", "uid"], [
            F("apiVersion", .string, "The owner's API version."), F("kind", .string, "The owner's kind."),
            F("name", .string, "The owner's name."), F("uid", .string, "The owner's UID."),
            F("controller", .boolean, "Whether the owner is the managing controller."),
            F("blockOwnerDeletion", .boolean, "Whether the owner's foreground deletion waits for this object."),
        ]),
        object(m + "ListMeta", "Metadata of a list.", [
            F("selfLink", .string, "Deprecated; not set."),
            F("resourceVersion", .string, "The version of the list, to watch from."),
            F("continue", .string, "A token to fetch the next page."),
            F("remainingItemCount", .int64, "Items left after this page, when known."),
        ]),
        object(m + "LabelSelector", "A label query; requirements are ANDed. Empty selects everything.", [
            F("matchLabels", stringMap, "Labels that must equal these values."),
            F("matchExpressions", .array(meta("LabelSelectorRequirement")), "Requirements on labels."),
        ]),
        object(m + "LabelSelectorRequirement", "A key, an operator and values.", required: ["key", "operator"], [
            F("key", .string, "The label key."), F("operator", .string, "In, NotIn, Exists or DoesNotExist."),
            F("values", strings, "The values, for In and NotIn."),
        ]),
        object(m + "Condition", "One aspect of an object's state.",
               required: ["type", "status", "lastTransitionTime", "reason", "message"], [
            F("type", .string, "The condition type, in CamelCase."), F("status", .string, "True, False or Unknown."),
            F("observedGeneration", .int64, "The generation the condition was set for."),
            F("lastTransitionTime", time, "When it last changed."), F("reason", .string, "A CamelCase reason."),
            F("message", .string, "A human-readable message."),
        ]),
        metaKind("Status", "The result of an operation that does not return an object; the body of every error.",
                 gvks: [GroupVersionKind(group: "", version: "v1", kind: "Status")], [
            apiVersionField, kindField,
            F("metadata", meta("ListMeta"), "Standard list metadata."),
            F("status", .string, "Success or Failure."),
            F("message", .string, "A human-readable description."),
            F("reason", .string, "A CamelCase reason, e.g. NotFound."),
            F("details", meta("StatusDetails"), "Details about the reason."),
            F("code", .int32, "The HTTP status code."),
        ]),
        object(m + "StatusDetails", "Details of a status.", [
            F("name", .string, "The object's name."), F("group", .string, "The object's group."),
            F("kind", .string, "The object's kind."), F("uid", .string, "The object's UID."),
            F("causes", .array(meta("StatusCause")), "Field-level causes."),
            F("retryAfterSeconds", .int32, "Seconds to wait before retrying."),
        ]),
        object(m + "StatusCause", "One cause of an error.", [
            F("reason", .string, "A machine-readable cause, e.g. FieldValueInvalid."),
            F("message", .string, "A human-readable description."),
            F("field", .string, "The field at fault, e.g. spec.containers[0].name."),
        ]),
        metaKind("DeleteOptions", "Options for a delete.", gvks: everyGroup("DeleteOptions"), [
            apiVersionField, kindField,
            F("gracePeriodSeconds", .int64, "Seconds before the object is deleted; 0 deletes at once."),
            F("preconditions", meta("Preconditions"), "Must hold for the delete to go ahead."),
            F("orphanDependents", .boolean, "Deprecated: use propagationPolicy."),
            F("propagationPolicy", .string, "Orphan, Background or Foreground."),
            F("dryRun", strings, "All: validate without persisting."),
            F("ignoreStoreReadErrorWithClusterBreakingPotential", .boolean, "Delete even if the stored object cannot be read."),
        ]),
        object(m + "Preconditions", "Conditions a delete requires.", [
            F("uid", .string, "The object's UID."), F("resourceVersion", .string, "The object's resourceVersion."),
        ]),
        metaKind("WatchEvent", "One event of a watch stream.", gvks: everyGroup("WatchEvent"), required: ["type", "object"], [
            F("type", .string, "ADDED, MODIFIED, DELETED, BOOKMARK or ERROR."),
            F("object", .ref("io.k8s.apimachinery.pkg.runtime.RawExtension"), "The object; a Status for ERROR."),
        ]),
        metaKind("Table", "Objects rendered as rows and columns, for kubectl get.",
                 gvks: [GroupVersionKind(group: "meta.k8s.io", version: "v1", kind: "Table")],
                 required: ["columnDefinitions", "rows"], [
            apiVersionField, kindField,
            F("metadata", meta("ListMeta"), "Standard list metadata."),
            F("columnDefinitions", .array(meta("TableColumnDefinition")), "The columns."),
            F("rows", .array(meta("TableRow")), "The rows."),
        ]),
        object(m + "TableColumnDefinition", "A table column.", required: ["name", "type", "format", "description", "priority"], [
            F("name", .string, "The column's header."), F("type", .string, "An OpenAPI type: string, integer, date..."),
            F("format", .string, "A format hint, e.g. name."), F("description", .string, "What the column shows."),
            F("priority", .int32, "0 for default columns, higher for wide output only."),
        ]),
        object(m + "TableRow", "A table row.", required: ["cells"], [
            F("cells", .array(.freeForm), "One value per column."),
            F("conditions", .array(meta("TableRowCondition")), "Conditions of the row, e.g. Completed."),
            F("object", .ref("io.k8s.apimachinery.pkg.runtime.RawExtension"), "The object or its metadata."),
        ]),
        object(m + "TableRowCondition", "A condition of a table row.", required: ["type", "status"], [
            F("type", .string, "Completed."), F("status", .string, "True, False or Unknown."),
            F("reason", .string, "A CamelCase reason."), F("message", .string, "A human-readable message."),
        ]),
        metaKind("PartialObjectMetadata", "An object's metadata only.",
                 gvks: [GroupVersionKind(group: "meta.k8s.io", version: "v1", kind: "PartialObjectMetadata")],
                 [apiVersionField, kindField, metadataField]),
    ]
}
