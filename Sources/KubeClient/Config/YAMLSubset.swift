import KubeAPI

/// The block-style YAML that kubeconfig files are written in (by kubectl, kubeadm, k3s and us):
/// nested mappings and sequences by indentation, plain and quoted scalars, `|` block scalars,
/// comments, and flow collections written as JSON (`{}`, `[]`). A JSON document is parsed as JSON.
/// Anchors, tags and multi-document streams are not kubeconfig's and are rejected or ignored.
enum YAMLSubset {
    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    struct Line {
        var number: Int
        var indent: Int
        var text: Substring
    }

    static func parse(_ text: String) throws -> JSONValue {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\u{FEFF}" }
        if trimmed.first == "{" || trimmed.first == "[" {
            return try JSONValue.parse(Array(trimmed.utf8))
        }
        var parser = Parser(lines: lines(of: text))
        guard !parser.atEnd else { return .null }
        let value = try parser.node(minIndent: 0)
        if let extra = parser.current {
            throw ParseError(line: extra.number, message: "unexpected content \"\(extra.text)\"")
        }
        return value
    }

    /// Non-blank, non-comment lines, with trailing comments removed.
    static func lines(of text: String) -> [Line] {
        var out: [Line] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw
            if line.hasSuffix("\r") { line = line.dropLast() }
            let indent = line.prefix { $0 == " " }.count
            var body = stripComment(line.dropFirst(indent))
            while body.last == " " || body.last == "\t" { body = body.dropLast() }
            if body.isEmpty || body == "---" || body.hasPrefix("%") { continue }
            out.append(Line(number: i + 1, indent: indent, text: body))
        }
        return out
    }

    /// Drops a `#` comment that starts a line or follows whitespace, outside quotes.
    static func stripComment(_ s: Substring) -> Substring {
        var quote: Character?
        var previous: Character = " "
        var escaped = false
        for i in s.indices {
            let c = s[i]
            if let q = quote {
                if escaped { escaped = false }
                else if c == "\\", q == "\"" { escaped = true }
                else if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                if previous == " " || previous == ":" || previous == "-" || previous == "[" || previous == "{" || previous == "," { quote = c }
            } else if c == "#", previous == " " || previous == "\t" {
                return s[..<i]
            }
            previous = c
        }
        return s
    }

    struct Parser {
        var lines: [Line]
        var index = 0

        var atEnd: Bool { index >= lines.count }
        var current: Line? { index < lines.count ? lines[index] : nil }

        mutating func node(minIndent: Int) throws -> JSONValue {
            guard let line = current, line.indent >= minIndent else { return .null }
            if isSequenceItem(line.text) { return try sequence(indent: line.indent) }
            if splitKey(line.text) != nil { return try mapping(indent: line.indent) }
            index += 1
            return try YAMLSubset.scalar(line.text, line: line.number)
        }

        func isSequenceItem(_ text: Substring) -> Bool { text == "-" || text.hasPrefix("- ") }

        mutating func sequence(indent: Int) throws -> JSONValue {
            var items: [JSONValue] = []
            while let line = current, line.indent == indent, isSequenceItem(line.text) {
                let rest = line.text.dropFirst().drop { $0 == " " }
                if rest.isEmpty {
                    index += 1
                    items.append(try node(minIndent: indent + 1))
                } else {
                    // "- key: v" opens a mapping whose further keys align with "key".
                    let offset = line.text.count - rest.count
                    lines[index] = Line(number: line.number, indent: indent + offset, text: rest)
                    items.append(try node(minIndent: indent + offset))
                }
            }
            return .array(items)
        }

        mutating func mapping(indent: Int) throws -> JSONValue {
            var object: [String: JSONValue] = [:]
            while let line = current, line.indent == indent {
                guard let (key, value) = splitKey(line.text) else {
                    throw ParseError(line: line.number, message: "expected \"key: value\", found \"\(line.text)\"")
                }
                let name = try YAMLSubset.scalar(key, line: line.number)
                let keyString: String
                switch name {
                case .string(let s): keyString = s
                case .integer(let i): keyString = String(i)
                case .bool(let b): keyString = String(b)
                default: throw ParseError(line: line.number, message: "unsupported key \"\(key)\"")
                }
                index += 1
                if value.isEmpty {
                    if let next = current, next.indent > indent {
                        object[keyString] = try node(minIndent: indent + 1)
                    } else if let next = current, next.indent == indent, isSequenceItem(next.text) {
                        object[keyString] = try sequence(indent: indent)
                    } else {
                        object[keyString] = .null
                    }
                } else if value.hasPrefix("|") || value.hasPrefix(">") {
                    object[keyString] = .string(blockScalar(header: value, parentIndent: indent))
                } else {
                    object[keyString] = try YAMLSubset.scalar(value, line: line.number)
                }
            }
            if let line = current, line.indent > indent {
                throw ParseError(line: line.number, message: "bad indentation of \"\(line.text)\"")
            }
            return .object(object)
        }

        /// `|` keeps newlines, `>` folds them to spaces; `-` strips the final newline.
        mutating func blockScalar(header: Substring, parentIndent: Int) -> String {
            var parts: [Substring] = []
            var blockIndent: Int?
            while let line = current, line.indent > parentIndent {
                let base = blockIndent ?? line.indent
                blockIndent = base
                parts.append(Substring(String(repeating: " ", count: max(0, line.indent - base))) + line.text)
                index += 1
            }
            var text = parts.joined(separator: header.hasPrefix(">") ? " " : "\n")
            if !header.contains("-") { text += "\n" }
            return text
        }

        /// "key: value" / "key:" outside quotes, as (key, value).
        func splitKey(_ text: Substring) -> (Substring, Substring)? {
            var quote: Character?
            var i = text.startIndex
            if let first = text.first, first == "\"" || first == "'" {
                quote = first
                i = text.index(after: i)
            }
            while i < text.endIndex {
                let c = text[i]
                if let q = quote {
                    if c == q { quote = nil }
                } else if c == ":" {
                    let next = text.index(after: i)
                    if next == text.endIndex || text[next] == " " {
                        let value = text[next...].drop { $0 == " " }
                        return (text[..<i], value)
                    }
                } else if c == "{" || c == "[" {
                    if i == text.startIndex { return nil }
                }
                i = text.index(after: i)
            }
            return nil
        }
    }

    static func scalar(_ raw: Substring, line: Int) throws -> JSONValue {
        let s = raw.trimmingSuffix(" ")
        if s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL" { return .null }
        if s.first == "\"" {
            guard s.count >= 2, s.last == "\"" else { throw ParseError(line: line, message: "unterminated string \(s)") }
            do {
                return try JSONValue.parse(Array(s.utf8))
            } catch {
                throw ParseError(line: line, message: "bad double-quoted string \(s)")
            }
        }
        if s.first == "'" {
            guard s.count >= 2, s.last == "'" else { throw ParseError(line: line, message: "unterminated string \(s)") }
            return .string(String(s.dropFirst().dropLast()).replacing("''", with: "'"))
        }
        if s.first == "{" || s.first == "[" {
            var flow = FlowParser(text: Array(s), line: line)
            let value = try flow.value()
            flow.skipSpaces()
            guard flow.atEnd else { throw ParseError(line: line, message: "trailing text after \(s)") }
            return value
        }
        switch s {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let i = Int64(s) { return .integer(i) }
        return .string(String(s))
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ c: Character) -> Substring {
        var s = self
        while s.last == c { s = s.dropLast() }
        return s
    }
}

/// Flow collections: `{a: 1, "b": [x, 'y']}` — JSON, or YAML's plain-scalar spelling of it.
struct FlowParser {
    var text: [Character]
    var line: Int
    var i = 0

    var atEnd: Bool { i >= text.count }

    mutating func skipSpaces() {
        while i < text.count, text[i] == " " || text[i] == "\t" { i += 1 }
    }

    mutating func expect(_ c: Character) throws {
        skipSpaces()
        guard i < text.count, text[i] == c else {
            throw YAMLSubset.ParseError(line: line, message: "expected \"\(c)\" in flow collection")
        }
        i += 1
    }

    mutating func value() throws -> JSONValue {
        skipSpaces()
        guard i < text.count else { throw YAMLSubset.ParseError(line: line, message: "unterminated flow collection") }
        switch text[i] {
        case "{":
            i += 1
            var object: [String: JSONValue] = [:]
            skipSpaces()
            if i < text.count, text[i] == "}" { i += 1; return .object(object) }
            while true {
                let key = try scalarToken(stoppingAt: [":", ",", "}"])
                guard case .string(let k) = key else {
                    throw YAMLSubset.ParseError(line: line, message: "flow mapping key is not a string")
                }
                try expect(":")
                object[k] = try value()
                skipSpaces()
                guard i < text.count else { throw YAMLSubset.ParseError(line: line, message: "unterminated flow mapping") }
                if text[i] == "," { i += 1; continue }
                if text[i] == "}" { i += 1; return .object(object) }
                throw YAMLSubset.ParseError(line: line, message: "expected , or } in flow mapping")
            }
        case "[":
            i += 1
            var array: [JSONValue] = []
            skipSpaces()
            if i < text.count, text[i] == "]" { i += 1; return .array(array) }
            while true {
                array.append(try value())
                skipSpaces()
                guard i < text.count else { throw YAMLSubset.ParseError(line: line, message: "unterminated flow sequence") }
                if text[i] == "," { i += 1; continue }
                if text[i] == "]" { i += 1; return .array(array) }
                throw YAMLSubset.ParseError(line: line, message: "expected , or ] in flow sequence")
            }
        default:
            return try scalarToken(stoppingAt: [",", "}", "]"])
        }
    }

    /// A quoted scalar, or a plain one up to a stop character; keys stay strings.
    mutating func scalarToken(stoppingAt stops: Set<Character>) throws -> JSONValue {
        skipSpaces()
        guard i < text.count else { throw YAMLSubset.ParseError(line: line, message: "missing value in flow collection") }
        let start = i
        if text[i] == "\"" || text[i] == "'" {
            let q = text[i]
            i += 1
            while i < text.count {
                if q == "\"", text[i] == "\\" { i += 2; continue }
                if text[i] == q {
                    if q == "'", i + 1 < text.count, text[i + 1] == "'" { i += 2; continue }
                    break
                }
                i += 1
            }
            guard i < text.count else { throw YAMLSubset.ParseError(line: line, message: "unterminated quoted string") }
            i += 1
            let quoted = String(text[start..<i])
            let v = try YAMLSubset.scalar(Substring(quoted), line: line)
            return v
        }
        // A plain scalar ends at a stop character, or at ": " / ":" + stop for keys.
        while i < text.count, !stops.contains(text[i]) || (text[i] == ":" && i + 1 < text.count && !(text[i + 1] == " " || stops.contains(text[i + 1]))) {
            i += 1
        }
        let raw = String(text[start..<i]).trimmingCharacters(in: " \t")
        if stops.contains(":") { return .string(raw) }
        return try YAMLSubset.scalar(Substring(raw), line: line)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
