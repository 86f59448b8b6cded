import FoundationEssentials
import Glibc

/// Reads a bundle's config.json with errors that say where the JSON is wrong.
public enum SpecLoader {
    public static func load(bundle: String, id: String) throws(RuntimeError) -> Spec {
        let path = bundle.hasSuffix("/") ? bundle + "config.json" : bundle + "/config.json"
        let data: Data
        do {
            data = try readFile(path)
        } catch {
            throw .step(id: id, operation: "create", step: "read \(path)", errno: error)
        }
        return try decode(data, id: id)
    }

    public static func decode(_ data: Data, id: String) throws(RuntimeError) -> Spec {
        do {
            return try JSONDecoder().decode(Spec.self, from: data)
        } catch let DecodingError.dataCorrupted(ctx) {
            throw .invalidBundle(id: id, problems: ["config.json: malformed JSON at \(path(ctx.codingPath)): \(ctx.debugDescription)"])
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw .invalidBundle(id: id, problems: ["config.json: \(path(ctx.codingPath + [key])): required field missing"])
        } catch let DecodingError.typeMismatch(type, ctx) {
            throw .invalidBundle(id: id, problems: ["config.json: \(path(ctx.codingPath)): expected \(jsonName(type))"])
        } catch let DecodingError.valueNotFound(type, ctx) {
            throw .invalidBundle(id: id, problems: ["config.json: \(path(ctx.codingPath)): expected \(jsonName(type)), found null"])
        } catch {
            throw .invalidBundle(id: id, problems: ["config.json: \(error)"])
        }
    }

    /// Swift's type names mean nothing to someone editing JSON.
    static func jsonName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Array") { return "an array" }
        if name.hasPrefix("Dictionary") { return "an object" }
        if name == "String" { return "a string" }
        if name == "Bool" { return "true or false" }
        if name.hasPrefix("Int") || name.hasPrefix("UInt") || name == "Double" { return "a number" }
        return "an object"
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : "." + key.stringValue }
        }
        return out.isEmpty ? "(top level)" : out
    }
}

/// Reads a whole file with plain syscalls (FoundationEssentials has no file manager).
func readFile(_ path: String) throws(Errno) -> Data {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw Errno(errno) }
    defer { close(fd) }
    var out = Data()
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw Errno(errno)
        }
        if n == 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return out
}
