/// Turns an archived name into components relative to the layer directory: empty and `.`
/// components go, a leading `/` is dropped (absolute names land inside the layer), and any `..`
/// is refused, so no name can climb out. An empty result is the layer root itself.
enum LayerPath {
    static func components(_ name: String, entry: String) throws(LayerError) -> [String] {
        var out: [String] = []
        for part in name.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { throw .unsafeEntry(entry: entry, reason: "path has a \"..\" component") }
            if part.utf8.contains(0) { throw .unsafeEntry(entry: entry, reason: "path contains NUL") }
            out.append(String(part))
        }
        return out
    }
}
