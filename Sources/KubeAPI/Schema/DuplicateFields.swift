/// Keys that appear twice in one JSON object of a request body, which Strict field validation rejects
/// (`duplicate field "metadata.name"`) and Warn reports. Parsed JSON (JSONValue) keeps only the last
/// value of a key, so this reads the raw bytes.
public enum DuplicateFields {
    /// The paths of duplicated keys, in document order, formatted as unknown fields are. Malformed JSON
    /// yields what was found before the error (decoding reports the error itself).
    public static func duplicateFields(in bytes: [UInt8]) -> [String] {
        var scanner = Scanner(bytes: bytes)
        scanner.value(path: "")
        return scanner.duplicates
    }

    /// `duplicate field "metadata.name"`, one per path.
    public static func messages(_ paths: [String]) -> [String] { paths.map { "duplicate field \"\($0)\"" } }

    struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var duplicates: [String] = []
        var failed = false

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[i]) { i += 1 }
        }

        mutating func value(path: String) {
            skipSpace()
            guard !failed, i < bytes.count else { failed = true; return }
            switch bytes[i] {
            case UInt8(ascii: "{"): object(path: path)
            case UInt8(ascii: "["): array(path: path)
            case UInt8(ascii: "\""): _ = string()
            default:
                // A number, true, false or null: up to the next delimiter.
                while i < bytes.count, !",]} \t\r\n".utf8.contains(bytes[i]) { i += 1 }
            }
        }

        mutating func object(path: String) {
            i += 1
            var seen = Set<String>()
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return }
            while !failed {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let key = string() else { failed = true; return }
                let child = path.isEmpty ? key : path + "." + key
                if !seen.insert(key).inserted { duplicates.append(child) }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { failed = true; return }
                i += 1
                value(path: child)
                skipSpace()
                guard i < bytes.count else { failed = true; return }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return }
                failed = true
            }
        }

        mutating func array(path: String) {
            i += 1
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return }
            var index = 0
            while !failed {
                value(path: "\(path)[\(index)]")
                index += 1
                skipSpace()
                guard i < bytes.count else { failed = true; return }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return }
                failed = true
            }
        }

        /// A string token, unescaped enough to compare keys (escapes kept verbatim except \" and \\).
        mutating func string() -> String? {
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    let next = bytes[i + 1]
                    if next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") || next == UInt8(ascii: "/") {
                        out.append(next)
                    } else {
                        out += [c, next]
                    }
                    i += 2
                    continue
                }
                out.append(c)
                i += 1
            }
            failed = true
            return nil
        }
    }
}
