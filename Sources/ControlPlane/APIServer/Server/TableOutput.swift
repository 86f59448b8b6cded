import FoundationEssentials
import KubeAPI

/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what `kubectl get` asks for): objects as a
/// `meta.k8s.io/v1` Table. Kinds without their own printer get kube's default columns (Name, Created At).
enum TableOutput {
    /// Whether the Accept header asks for a Table (first acceptable media type wins, as kube negotiates).
    static func wanted(_ accept: String?) -> Bool {
        guard let accept else { return false }
        for clause in accept.split(separator: ",") {
            let params = clause.split(separator: ";").map { $0.trimmingSpaces() }
            guard let type = params.first, type == "application/json" || type == "*/*" else { continue }
            let p = Set(params.dropFirst())
            if p.contains("as=Table") && p.contains("g=meta.k8s.io") && (p.contains("v=v1") || p.contains("v=v1beta1")) { return true }
            if !p.contains(where: { $0.hasPrefix("as=") }) { return false }
        }
        return false
    }

    static let contentType = "application/json;as=Table;v=v1;g=meta.k8s.io"

    /// Kube's printers (KubeAPI/Printing) for the kinds that have one, Name / Created At otherwise.
    static func table(_ strategy: ResourceStrategy, _ objects: [JSONValue], listMetadata: JSONValue?, include: String?) -> JSONValue {
        var meta = listMetadata
        if meta == nil { meta = .object(["resourceVersion": objects.first?.meta("resourceVersion") ?? .string("")]) }
        return TablePrinter.table(resource: strategy.resource, objects: objects, now: Date(),
                                  includeObject: IncludeObject(parameter: include) ?? .metadata, listMetadata: meta)
    }

    static func response(_ table: JSONValue) -> APIResponse {
        var r = Responses.json(200, table)
        r.headers = [("content-type", contentType)]
        return r
    }
}
