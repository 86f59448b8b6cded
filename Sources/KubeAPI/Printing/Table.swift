import FoundationEssentials

/// `metav1.TableColumnDefinition`. `priority` 1 marks a column kubectl shows only with `-o wide`.
public struct TableColumn: Hashable, Sendable {
    public var name: String
    public var type: String
    public var format: String
    public var description: String
    public var priority: Int32

    public init(_ name: String, type: String = "string", format: String = "", priority: Int32 = 0,
                _ description: String) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
    }

    public var json: JSONValue {
        .object(["name": .string(name), "type": .string(type), "format": .string(format),
                 "description": .string(description), "priority": .integer(Int64(priority))])
    }

    static let name = TableColumn("Name", format: "name",
                                  "Name is unique within a namespace; clients use it to refer to the object.")
    static let age = TableColumn("Age", "The time since the object was created (metadata.creationTimestamp).")
}

/// `metav1.TableRowCondition` (pods that have finished carry `Completed`).
public struct TableRowCondition: Hashable, Sendable {
    public var type: String
    public var status: String
    public var reason: String
    public var message: String

    var json: JSONValue {
        .object(["type": .string(type), "status": .string(status), "reason": .string(reason),
                 "message": .string(message)])
    }
}

/// One printed row before the object is attached: the cells in column order (all columns, wide
/// included, as kube-apiserver always prints wide and kubectl hides priority > 0 columns).
struct PrintedRow {
    var cells: [JSONValue]
    var conditions: [TableRowCondition] = []
}

/// What each row carries in `object` (`?includeObject=`): nothing, the object's metadata as a
/// `PartialObjectMetadata` (the server's default), or the whole object.
public enum IncludeObject: String, Hashable, Sendable {
    case none = "None"
    case metadata = "Metadata"
    case object = "Object"

    /// The query parameter's value; an empty or absent one means Metadata.
    public init?(parameter: String?) {
        guard let parameter, !parameter.isEmpty else { self = .metadata; return }
        self.init(rawValue: parameter)
    }
}

/// A printer for one resource: its columns and how one object becomes a row.
struct ResourcePrinter: Sendable {
    var columns: [TableColumn]
    var row: @Sendable (JSONValue, Date) -> PrintedRow
}

/// Builds the `meta.k8s.io/v1` `Table` that `kubectl get` asks for
/// (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), with the columns and cell rendering of
/// Kubernetes' own printers (pkg/printers/internalversion), and a Name / Created At table for
/// resources without a printer (as the API server's default table convertor).
public enum TablePrinter {
    /// - Parameters:
    ///   - resource: the plural resource name ("pods", "deployments"); group-qualified names work too.
    ///   - objects: the objects as stored (a list's items, or one object for a get).
    ///   - listMetadata: the list's `metadata` (resourceVersion, continue), copied to the table.
    public static func table(resource: String, objects: [JSONValue], now: Date,
                             includeObject: IncludeObject = .metadata, listMetadata: JSONValue? = nil) -> JSONValue {
        let printer = printer(for: resource)
        let rows: [JSONValue] = objects.map { object in
            let printed = printer.row(object, now)
            var row: [String: JSONValue] = ["cells": .array(printed.cells)]
            if !printed.conditions.isEmpty { row["conditions"] = .array(printed.conditions.map(\.json)) }
            switch includeObject {
            case .none: break
            case .object: row["object"] = object
            case .metadata: row["object"] = partialObjectMetadata(object)
            }
            return .object(row)
        }
        return .object([
            "kind": .string("Table"),
            "apiVersion": .string("meta.k8s.io/v1"),
            "metadata": listMetadata ?? .object([:]),
            "columnDefinitions": .array(printer.columns.map(\.json)),
            "rows": .array(rows),
        ])
    }

    /// The column definitions printed for `resource`.
    public static func columns(resource: String) -> [TableColumn] { printer(for: resource).columns }

    /// `meta.AsPartialObjectMetadata`: the object's metadata under kind PartialObjectMetadata.
    public static func partialObjectMetadata(_ object: JSONValue) -> JSONValue {
        .object(["kind": .string("PartialObjectMetadata"), "apiVersion": .string("meta.k8s.io/v1"),
                 "metadata": object["metadata"] ?? .object([:])])
    }

    static func printer(for resource: String) -> ResourcePrinter {
        let plural = resource.split(separator: ".", maxSplits: 1).first.map(String.init) ?? resource
        switch plural {
        case "pods": return PodPrinter.printer
        case "deployments": return WorkloadPrinters.deployments
        case "replicasets": return WorkloadPrinters.replicaSets
        case "services": return ServicePrinters.services
        case "endpoints": return ServicePrinters.endpoints
        case "endpointslices": return ServicePrinters.endpointSlices
        case "nodes": return ClusterPrinters.nodes
        case "namespaces": return ClusterPrinters.namespaces
        case "events": return ClusterPrinters.events
        case "leases": return ClusterPrinters.leases
        case "configmaps": return ConfigPrinters.configMaps
        case "secrets": return ConfigPrinters.secrets
        case "serviceaccounts": return ConfigPrinters.serviceAccounts
        default: return defaultPrinter
        }
    }

    /// rest.NewDefaultTableConvertor: the name and the creation time in RFC 3339.
    static let defaultPrinter = ResourcePrinter(
        columns: [TableColumn.name,
                  TableColumn("Created At", type: "date", "The time the object was created (metadata.creationTimestamp).")],
        row: { object, _ in
            let created = object.string("metadata", "creationTimestamp").flatMap { Time(rfc3339: $0) }
            // A zero Go time formats as 0001-01-01T00:00:00Z.
            return PrintedRow(cells: [.string(object.name), .string(created?.rfc3339 ?? "0001-01-01T00:00:00Z")])
        })
}

/// Field access for the printers, which read stored objects as JSON (as the printers read the
/// internal types, a missing field reads as its zero value).
extension JSONValue {
    /// Go's strings.TrimSpace over ASCII whitespace (messages are trimmed before printing).
    var trimmed: String {
        guard case .string(let s) = self else { return "" }
        let ws: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
        var sub = Substring(s)
        while let c = sub.first, ws.contains(c) { sub = sub.dropFirst() }
        while let c = sub.last, ws.contains(c) { sub = sub.dropLast() }
        return String(sub)
    }

    func string(_ path: String...) -> String? { value(at: path)?.stringValue }
    func int(_ path: String...) -> Int64 { value(at: path)?.integerValue ?? 0 }
    func array(_ path: String...) -> [JSONValue] { value(at: path)?.arrayValue ?? [] }
    func object(_ path: String...) -> [String: JSONValue] { value(at: path)?.objectValue ?? [:] }
    var name: String { string("metadata", "name") ?? "" }
    func age(_ now: Date) -> JSONValue { .string(HumanDuration.since(string("metadata", "creationTimestamp"), now: now)) }

    /// A string-valued map (`labels`, `selector`) as `[String: String]`, skipping non-strings.
    func stringMap(_ path: String...) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in value(at: path)?.objectValue ?? [:] { if let s = v.stringValue { out[k] = s } }
        return out
    }
}

enum PrinterFormat {
    /// `labels.FormatLabels`: "k=v,k2=v2" in key order, "<none>" when empty.
    static func labels(_ labels: [String: String]) -> String {
        labels.isEmpty ? "<none>" : labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",")
    }

    /// `metav1.LabelSelectorAsSelector(...).String()`; "<invalid>" when the selector does not parse.
    static func selector(_ value: JSONValue?) -> String {
        guard let value, value != .null else { return "" }
        guard let selector = try? value.decode(LabelSelector.self), let parsed = try? Selector(selector) else {
            return "<invalid>"
        }
        return parsed.description
    }

    /// `metav1.FormatLabelSelector`: like `selector` but "<none>" for an empty one, "<error>" for a bad one.
    static func labelSelector(_ value: JSONValue?) -> String {
        guard let value, value != .null else { return "<none>" }
        guard let selector = try? value.decode(LabelSelector.self), let parsed = try? Selector(selector) else {
            return "<error>"
        }
        let s = parsed.description
        return s.isEmpty ? "<none>" : s
    }

    /// `layoutContainerCells`: container names and images, comma-joined.
    static func containers(_ containers: [JSONValue]) -> (names: String, images: String) {
        (containers.map { $0.string("name") ?? "" }.joined(separator: ","),
         containers.map { $0.string("image") ?? "" }.joined(separator: ","))
    }

    /// `listWithMoreString`: the first items, then " + N more...", "<unset>" when empty.
    static func listWithMore(_ list: [String], more: Bool, count: Int, max: Int) -> String {
        let joined = list.joined(separator: ",")
        if more { return "\(joined) + \(count - max) more..." }
        return joined.isEmpty ? "<unset>" : joined
    }
}
