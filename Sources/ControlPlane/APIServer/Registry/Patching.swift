import KubeAPI

// PATCH bodies are applied with KubeAPI/Patch (JSON patch, merge patch, strategic merge patch with the
// served kinds' patch strategies); this names the types by Content-Type.

/// The patch types PATCH accepts, by Content-Type.
enum PatchType: String, Sendable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    static func from(contentType: String?) -> PatchType? {
        guard let ct = contentType else { return nil }
        let base = ct.split(separator: ";").first.map { $0.trimmingSpaces() } ?? ""
        return PatchType(rawValue: base.lowercased())
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

