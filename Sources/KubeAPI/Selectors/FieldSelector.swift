/// A parsed field selector (`fields.Selector`): `field=value`, `field==value`, `field!=value`, ANDed by
/// commas; `\,` `\=` `\\` escape those characters in values. Matched against a resource's field set.
public struct FieldSelector: Hashable, Sendable, CustomStringConvertible {
    public struct Term: Hashable, Sendable, CustomStringConvertible {
        public var field: String
        public var value: String
        /// `!=` rather than `=`/`==`.
        public var negated: Bool

        public init(field: String, value: String, negated: Bool = false) {
            self.field = field
            self.value = value
            self.negated = negated
        }

        /// A missing field reads as "" (so `spec.nodeName=` selects unscheduled pods).
        public func matches(_ fields: [String: String]) -> Bool {
            (fields[field] ?? "" == value) != negated
        }

        public var description: String { field + (negated ? "!=" : "=") + FieldSelector.escape(value) }
    }

    public private(set) var terms: [Term]

    public init(_ terms: [Term] = []) { self.terms = terms }
    public static let everything = FieldSelector()

    public var isEverything: Bool { terms.isEmpty }

    public func matches(_ fields: [String: String]) -> Bool { terms.allSatisfy { $0.matches(fields) } }

    /// The value a field must equal (`RequiresExactMatch`), e.g. `spec.nodeName` for a node's pod watch.
    public func requiresExactMatch(_ field: String) -> String? {
        terms.first { $0.field == field && !$0.negated }?.value
    }

    public var description: String { terms.map(\.description).joined(separator: ",") }

    /// Rejects fields the resource does not expose, with the API server's message
    /// (`field label not supported: spec.foo`); `supported` is usually `object.fieldSet.keys`.
    public func validate(supported: some Sequence<String>) throws(SelectorError) {
        let known = Set(supported)
        if let bad = terms.first(where: { !known.contains($0.field) }) {
            throw SelectorError("field label not supported: \(bad.field)")
        }
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case ",": out += "\\,"
            case "=": out += "\\="
            default: out.append(c)
            }
        }
        return out
    }

    public static func unescape(_ s: String) throws(SelectorError) -> String {
        var out = ""
        var inSlash = false
        for c in s.unicodeScalars {
            if inSlash {
                switch c {
                case "\\", ",", "=": out.unicodeScalars.append(c)
                default: throw SelectorError("invalid field selector: invalid escape sequence: \\\(c)")
                }
                inSlash = false
                continue
            }
            switch c {
            case "\\": inSlash = true
            // Go prints the rune with %v, i.e. its code point.
            case ",", "=": throw SelectorError("invalid field selector: unescaped character in value: \(c.value)")
            default: out.unicodeScalars.append(c)
            }
        }
        if inSlash { throw SelectorError("invalid field selector: invalid escape sequence: \\") }
        return out
    }

    /// Parses `?fieldSelector=` (`fields.ParseSelector`). Terms are sorted by their text; empty terms skipped.
    public static func parse(_ selector: String) throws(SelectorError) -> FieldSelector {
        // Split on unescaped commas.
        var parts: [String] = []
        var current = ""
        var inSlash = false
        for c in selector.unicodeScalars {
            if inSlash {
                inSlash = false
            } else if c == "\\" {
                inSlash = true
            } else if c == "," {
                parts.append(current)
                current = ""
                continue
            }
            current.unicodeScalars.append(c)
        }
        if !selector.isEmpty { parts.append(current) }
        parts.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var terms: [Term] = []
        for part in parts where !part.isEmpty {
            // The first position where an operator starts; `!=` and `==` before `=`.
            let s = Array(part.unicodeScalars)
            var found: (Int, Int, Bool)?
            for i in s.indices {
                if s[i] == "!", i + 1 < s.count, s[i + 1] == "=" { found = (i, 2, true); break }
                if s[i] == "=", i + 1 < s.count, s[i + 1] == "=" { found = (i, 2, false); break }
                if s[i] == "=" { found = (i, 1, false); break }
            }
            guard let (at, len, negated) = found else {
                throw SelectorError("invalid selector: '\(selector)'; can't understand '\(part)'")
            }
            var lhs = String.UnicodeScalarView()
            lhs.append(contentsOf: s[..<at])
            var rhs = String.UnicodeScalarView()
            rhs.append(contentsOf: s[(at + len)...])
            terms.append(Term(field: String(lhs), value: try unescape(String(rhs)), negated: negated))
        }
        return FieldSelector(terms)
    }
}
