/// A label or field selector that could not be parsed or built; `message` matches Kubernetes' text.
public struct SelectorError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One label requirement (`labels.Requirement`): key, operator, values (kept sorted and unique).
public struct Requirement: Hashable, Sendable, CustomStringConvertible {
    public enum Operator: String, Hashable, Sendable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
        case `in` = "in"
        case notIn = "notin"
        case exists = "exists"
        case doesNotExist = "!"
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    public let key: String
    public let op: Operator
    public let values: [String]

    /// Validates as `labels.NewRequirement`: key and values must be valid label keys/values and the
    /// value count must suit the operator. `path` prefixes the field paths in messages.
    public init(key: String, op: Operator, values: [String] = [], path: String? = nil) throws(SelectorError) {
        func child(_ name: String) -> String { path.map { $0 + "." + name } ?? name }
        func render(_ vals: [String]) -> String {
            "[]string{" + vals.map { FieldError.quote($0) }.joined(separator: ", ") + "}"
        }
        var errs: [FieldError] = []
        let keyErrs = Validation.labelKey(key)
        if !keyErrs.isEmpty { errs.append(.invalid(child("key"), key, keyErrs.joined(separator: "; "))) }
        let valuesPath = child("values")
        switch op {
        case .in, .notIn:
            if values.isEmpty {
                errs.append(FieldError(.invalid, field: valuesPath, value: render(values),
                                       detail: "for 'in', 'notin' operators, values set can't be empty"))
            }
        case .equals, .doubleEquals, .notEquals:
            if values.count != 1 {
                errs.append(FieldError(.invalid, field: valuesPath, value: render(values),
                                       detail: "exact-match compatibility requires one single value"))
            }
        case .exists, .doesNotExist:
            if !values.isEmpty {
                errs.append(FieldError(.invalid, field: valuesPath, value: render(values),
                                       detail: "values set must be empty for exists and does not exist"))
            }
        case .greaterThan, .lessThan:
            if values.count != 1 {
                errs.append(FieldError(.invalid, field: valuesPath, value: render(values),
                                       detail: "for 'Gt', 'Lt' operators, exactly one value is required"))
            }
            for (i, v) in values.enumerated() where Int64(v) == nil {
                errs.append(.invalid("\(valuesPath)[\(i)]", v, "for 'Gt', 'Lt' operators, the value must be an integer"))
            }
        }
        for (i, v) in values.enumerated() {
            let e = Validation.labelValue(v)
            if !e.isEmpty { errs.append(.invalid("\(valuesPath)[\(i)][\(key)]", v, e.joined(separator: "; "))) }
        }
        if errs.count == 1 { throw SelectorError(errs[0].description) }
        if errs.count > 1 { throw SelectorError("[" + errs.map(\.description).joined(separator: ", ") + "]") }
        self.key = key
        self.op = op
        self.values = Array(Set(values)).sorted()
    }

    public func matches(_ labels: [String: String]) -> Bool {
        switch op {
        case .in, .equals, .doubleEquals:
            guard let v = labels[key] else { return false }
            return values.contains(v)
        case .notIn, .notEquals:
            guard let v = labels[key] else { return true }
            return !values.contains(v)
        case .exists:
            return labels[key] != nil
        case .doesNotExist:
            return labels[key] == nil
        case .greaterThan, .lessThan:
            guard let v = labels[key], let lv = Int64(v), values.count == 1, let rv = Int64(values[0]) else { return false }
            return op == .greaterThan ? lv > rv : lv < rv
        }
    }

    /// Canonical text (`a=b`, `a in (x,y)`, `!a`, `a>3`).
    public var description: String {
        let joined = values.joined(separator: ",")
        switch op {
        case .doesNotExist: return "!" + key
        case .exists: return key
        case .equals: return key + "=" + joined
        case .doubleEquals: return key + "==" + joined
        case .notEquals: return key + "!=" + joined
        case .in: return key + " in (" + joined + ")"
        case .notIn: return key + " notin (" + joined + ")"
        case .greaterThan: return key + ">" + joined
        case .lessThan: return key + "<" + joined
        }
    }
}

/// A parsed label selector (`labels.Selector`): the AND of its requirements, sorted by key.
/// `Selector.everything` (no requirements) matches all; `Selector.nothing` matches none.
public struct Selector: Hashable, Sendable, CustomStringConvertible {
    public private(set) var requirements: [Requirement]
    public let matchesNothing: Bool

    public init(_ requirements: [Requirement] = []) {
        self.requirements = Selector.sorted(requirements)
        matchesNothing = false
    }

    private init(nothing: Void) {
        requirements = []
        matchesNothing = true
    }

    public static let everything = Selector()
    public static let nothing = Selector(nothing: ())

    static func sorted(_ r: [Requirement]) -> [Requirement] {
        r.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
    }

    /// Equality-based selector from a label set (`SelectorFromSet`); empty means everything.
    public init(matching labels: [String: String]) throws(SelectorError) {
        var reqs: [Requirement] = []
        for (k, v) in labels { reqs.append(try Requirement(key: k, op: .equals, values: [v])) }
        self.init(reqs)
    }

    /// `metav1.LabelSelectorAsSelector`: nil matches nothing, an empty selector everything.
    public init(_ selector: LabelSelector?) throws(SelectorError) {
        guard let selector else {
            self = .nothing
            return
        }
        var reqs: [Requirement] = []
        for (k, v) in selector.matchLabels ?? [:] {
            reqs.append(try Requirement(key: k, op: .equals, values: [v]))
        }
        for e in selector.matchExpressions ?? [] {
            let op: Requirement.Operator
            switch e.operator {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default: throw SelectorError("\"\(e.operator)\" is not a valid label selector operator")
            }
            reqs.append(try Requirement(key: e.key, op: op, values: e.values ?? []))
        }
        self.init(reqs)
    }

    public var isEverything: Bool { !matchesNothing && requirements.isEmpty }

    public func matches(_ labels: [String: String]?) -> Bool {
        if matchesNothing { return false }
        let l = labels ?? [:]
        return requirements.allSatisfy { $0.matches(l) }
    }

    public func adding(_ more: Requirement...) -> Selector { Selector(requirements + more) }

    /// The value a key must equal for the selector to match (`RequiresExactMatch`), if any.
    public func requiresExactMatch(_ key: String) -> String? {
        guard let r = requirements.first(where: { $0.key == key }) else { return nil }
        switch r.op {
        case .equals, .doubleEquals, .in: return r.values.count == 1 ? r.values[0] : nil
        default: return nil
        }
    }

    /// Canonical string form, as kubectl would send it back (`a=b,c in (x,y),!d`).
    public var description: String { requirements.map(\.description).joined(separator: ",") }

    // MARK: Parsing the `?labelSelector=` syntax

    enum Token: Equatable {
        case identifier, endOfString, closedPar, comma, doesNotExist, doubleEquals, equals, greaterThan, `in`,
             lessThan, notEquals, notIn, openPar
    }

    struct Item {
        var tok: Token
        var lit: String
    }

    static let literals: [String: Token] = [
        ")": .closedPar, ",": .comma, "!": .doesNotExist, "==": .doubleEquals, "=": .equals, ">": .greaterThan,
        "in": .in, "<": .lessThan, "!=": .notEquals, "notin": .notIn, "(": .openPar,
    ]

    static func isWhitespace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 || c == 10 }
    static func isSpecial(_ c: UInt8) -> Bool { "=!(),><".utf8.contains(c) }

    static func lex(_ s: String) -> [Item] {
        let b = Array(s.utf8)
        var pos = 0
        var items: [Item] = []
        while true {
            while pos < b.count, isWhitespace(b[pos]) { pos += 1 }
            if pos == b.count {
                items.append(Item(tok: .endOfString, lit: ""))
                return items
            }
            if isSpecial(b[pos]) {
                // Longest run of specials that still forms a known operator.
                var buf: [UInt8] = []
                var last: Item?
                var end = pos
                var i = pos
                while i < b.count, isSpecial(b[i]) {
                    buf.append(b[i])
                    let s = String(decoding: buf, as: UTF8.self)
                    if let t = literals[s] {
                        last = Item(tok: t, lit: s)
                        end = i + 1
                    } else if last != nil {
                        break
                    }
                    i += 1
                }
                // Every single special character is a token, so `last` is always set.
                items.append(last!)
                pos = end
            } else {
                let start = pos
                while pos < b.count, !isSpecial(b[pos]), !isWhitespace(b[pos]) { pos += 1 }
                let s = String(decoding: b[start..<pos], as: UTF8.self)
                items.append(Item(tok: literals[s] ?? .identifier, lit: s))
            }
        }
    }

    /// Parses the string form (`labels.Parse`): `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
    /// `a`, `!a`, `a>1`, `a<1`, comma-separated. The empty string selects everything.
    public static func parse(_ string: String) throws(SelectorError) -> Selector {
        var p = Parser(items: lex(string))
        return Selector(try p.parse())
    }

    struct Parser {
        var items: [Item]
        var position = 0

        /// In value context `in`/`notin` read as identifiers.
        func lookahead(values: Bool = true) -> (Token, String) {
            var t = items[position]
            if values, t.tok == .in || t.tok == .notIn { t.tok = .identifier }
            return (t.tok, t.lit)
        }

        mutating func consume(values: Bool = true) -> (Token, String) {
            let r = lookahead(values: values)
            position += 1
            return r
        }

        mutating func parse() throws(SelectorError) -> [Requirement] {
            var reqs: [Requirement] = []
            while true {
                let (tok, lit) = lookahead()
                switch tok {
                case .identifier, .doesNotExist:
                    do {
                        reqs.append(try parseRequirement())
                    } catch {
                        throw SelectorError("unable to parse requirement: \(error.message)")
                    }
                    let (t, l) = consume()
                    switch t {
                    case .endOfString:
                        return reqs
                    case .comma:
                        let (t2, l2) = lookahead()
                        if t2 != .identifier, t2 != .doesNotExist {
                            throw SelectorError("found '\(l2)', expected: identifier after ','")
                        }
                    default:
                        throw SelectorError("found '\(l)', expected: ',' or 'end of string'")
                    }
                case .endOfString:
                    return reqs
                default:
                    throw SelectorError("found '\(lit)', expected: !, identifier, or 'end of string'")
                }
            }
        }

        mutating func parseRequirement() throws(SelectorError) -> Requirement {
            var (tok, key) = consume()
            var op: Requirement.Operator?
            if tok == .doesNotExist {
                op = .doesNotExist
                (tok, key) = consume()
            }
            guard tok == .identifier else { throw SelectorError("found '\(key)', expected: identifier") }
            let keyErrs = Validation.labelKey(key)
            if !keyErrs.isEmpty {
                throw SelectorError(FieldError.invalid("<nil>", key, keyErrs.joined(separator: "; ")).description)
            }
            let (next, _) = lookahead()
            if op == .doesNotExist || next == .endOfString || next == .comma {
                // `!a=b` stops after `!a`; the caller then rejects the `=` (as Kubernetes does).
                return try Requirement(key: key, op: op ?? .exists)
            }
            let (opTok, opLit) = consume(values: false)
            let parsedOp: Requirement.Operator
            switch opTok {
            case .in: parsedOp = .in
            case .equals: parsedOp = .equals
            case .doubleEquals: parsedOp = .doubleEquals
            case .greaterThan: parsedOp = .greaterThan
            case .lessThan: parsedOp = .lessThan
            case .notIn: parsedOp = .notIn
            case .notEquals: parsedOp = .notEquals
            default: throw SelectorError("found '\(opLit)', expected: in, notin, =, ==, !=, gt, lt")
            }
            let values: [String]
            switch parsedOp {
            case .in, .notIn: values = try parseValues()
            default: values = try parseExactValue()
            }
            return try Requirement(key: key, op: parsedOp, values: values)
        }

        mutating func parseValues() throws(SelectorError) -> [String] {
            let (tok, lit) = consume()
            guard tok == .openPar else { throw SelectorError("found '\(lit)' expected: '('") }
            let (t2, l2) = lookahead()
            switch t2 {
            case .identifier, .comma:
                let s = try parseIdentifiersList()
                let (t3, _) = consume()
                guard t3 == .closedPar else { throw SelectorError("found '\(l2)', expected: ')'") }
                return s
            case .closedPar:
                _ = consume()
                return [""]
            default:
                throw SelectorError("found '\(l2)', expected: ',', ')' or identifier")
            }
        }

        mutating func parseIdentifiersList() throws(SelectorError) -> [String] {
            var s: Set<String> = []
            while true {
                let (tok, lit) = consume()
                switch tok {
                case .identifier:
                    s.insert(lit)
                    let (t2, l2) = lookahead()
                    switch t2 {
                    case .comma: continue
                    case .closedPar: return s.sorted()
                    default: throw SelectorError("found '\(l2)', expected: ',' or ')'")
                    }
                case .comma:
                    if s.isEmpty { s.insert("") }
                    let (t2, _) = lookahead()
                    if t2 == .closedPar {
                        s.insert("")
                        return s.sorted()
                    }
                    if t2 == .comma { s.insert("") }
                default:
                    throw SelectorError("found '\(lit)', expected: ',', or identifier")
                }
            }
        }

        mutating func parseExactValue() throws(SelectorError) -> [String] {
            let (t, _) = lookahead()
            if t == .endOfString || t == .comma { return [""] }
            let (tok, lit) = consume()
            guard tok == .identifier else { throw SelectorError("found '\(lit)', expected: identifier") }
            return [lit]
        }
    }
}
