import FoundationEssentials

/// An image reference as Docker and Kubernetes read one, normalised: `busybox` is
/// `docker.io/library/busybox:latest`, `user/repo` is `docker.io/user/repo:latest`, a first
/// component with a `.` or `:` or equal to `localhost` names a registry (`host:port/repo:tag`).
///
/// The grammar (distribution/reference):
///
///     reference      := name [ ":" tag ] [ "@" digest ]
///     name           := [domain "/"] path-component ("/" path-component)*
///     domain         := host [":" port]      host := domain-component ("." domain-component)* | "[" ipv6 "]"
///     domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
///     path-component := [a-z0-9]+ (separator [a-z0-9]+)*      separator := [_.] | "__" | "-"+
///     tag            := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
///
/// The tag defaults to `latest` only when neither a tag nor a digest is given.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    public static let defaultDomain = "docker.io"
    public static let defaultTag = "latest"
    /// The longest name (domain/path) accepted.
    public static let nameMaxLength = 255

    /// The registry host, with a port if given: `docker.io`, `localhost:5000`, `[::1]:5000`.
    public let domain: String
    /// The repository path in the registry: `library/busybox`.
    public let path: String
    public let tag: String?
    public let digest: Digest?

    public init(_ text: String) throws(ImageReferenceError) {
        func fail(_ problem: ImageReferenceError.Problem) -> ImageReferenceError {
            ImageReferenceError(reference: text, problem: problem)
        }
        if text.isEmpty { throw fail(.empty) }
        if text.utf8.count == 64 && text.utf8.allSatisfy(ImageReference.isLowerHex) {
            throw fail(.hexOnly)
        }
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            do { digest = try Digest(String(rest[rest.index(after: at)...])) } catch { throw fail(.digest(error)) }
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let t = String(rest[rest.index(after: colon)...])
            guard ImageReference.isTag(t) else { throw fail(.tag(t)) }
            tag = t
            rest = rest[..<colon]
        }
        if rest.isEmpty { throw fail(.empty) }

        // Docker's split: the first component is a domain only if it looks like one.
        var domain = ImageReference.defaultDomain
        var path = String(rest)
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first {
                domain = String(first)
                path = String(rest[rest.index(after: slash)...])
            }
        }
        guard ImageReference.isDomain(domain) else { throw fail(.domain(domain)) }
        if domain == "index.docker.io" { domain = ImageReference.defaultDomain }
        if domain == ImageReference.defaultDomain && !path.contains("/") { path = "library/" + path }
        if !ImageReference.isPath(path) {
            throw fail(ImageReference.isPath(path.lowercased()) ? .uppercase(path) : .path(path))
        }
        let length = domain.utf8.count + 1 + path.utf8.count
        if length > ImageReference.nameMaxLength { throw fail(.nameTooLong(length)) }
        self.domain = domain
        self.path = path
        self.tag = (tag == nil && digest == nil) ? ImageReference.defaultTag : tag
        self.digest = digest
    }

    /// `domain/path`: what a registry calls the repository, and the key of an image's tags.
    public var name: String { domain + "/" + path }

    /// The canonical form: `docker.io/library/busybox:latest`, `host:5000/a/b@sha256:…`.
    public var description: String {
        var s = name
        if let tag { s += ":" + tag }
        if let digest { s += "@" + digest.description }
        return s
    }

    /// What a registry's manifest endpoint takes: the digest if pinned, else the tag.
    public var manifestReference: String { digest?.description ?? tag ?? ImageReference.defaultTag }

    /// Docker's short spelling: `busybox:latest`, `user/repo:v1`, `localhost:5000/x:y`.
    public var familiarDescription: String {
        var s = name
        if domain == ImageReference.defaultDomain {
            s = path.hasPrefix("library/") && path.split(separator: "/").count == 2
                ? String(path.dropFirst("library/".count)) : path
        }
        if let tag { s += ":" + tag }
        if let digest { s += "@" + digest.description }
        return s
    }

    // MARK: grammar

    static func isLowerHex(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) }
    private static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) }
    private static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 0x41 && c <= 0x5a) }
    private static func isWord(_ c: UInt8) -> Bool { isAlnum(c) || c == 0x5f }

    static func isTag(_ t: String) -> Bool {
        let u = Array(t.utf8)
        guard let first = u.first, u.count <= 128, isWord(first) else { return false }
        return u.dropFirst().allSatisfy { isWord($0) || $0 == 0x2e || $0 == 0x2d }
    }

    static func isDomain(_ d: String) -> Bool {
        var host = Substring(d)
        if d.hasPrefix("[") {
            guard let close = d.firstIndex(of: "]") else { return false }
            let inner = d[d.index(after: d.startIndex)..<close]
            guard !inner.isEmpty, inner.utf8.allSatisfy({ isHexDigit($0) || $0 == 0x3a }) else { return false }
            let after = d[d.index(after: close)...]
            if after.isEmpty { return true }
            guard after.first == ":" else { return false }
            return isPort(after.dropFirst())
        }
        if let colon = d.firstIndex(of: ":") {
            guard isPort(d[d.index(after: colon)...]) else { return false }
            host = d[..<colon]
        }
        guard !host.isEmpty else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            let u = Array(part.utf8)
            guard let f = u.first, let l = u.last, isAlnum(f), isAlnum(l) else { return false }
            return u.allSatisfy { isAlnum($0) || $0 == 0x2d }
        }
    }

    private static func isHexDigit(_ c: UInt8) -> Bool { isLowerHex(c) || (c >= 0x41 && c <= 0x46) }
    private static func isPort(_ p: Substring) -> Bool { !p.isEmpty && p.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }

    static func isPath(_ p: String) -> Bool {
        p.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isPathComponent)
    }

    /// `[a-z0-9]+ ((\. | _ | __ | -+) [a-z0-9]+)*`
    static func isPathComponent(_ c: Substring) -> Bool {
        let u = Array(c.utf8)
        var i = 0
        func alnumRun() -> Bool {
            let start = i
            while i < u.count && isLowerAlnum(u[i]) { i += 1 }
            return i > start
        }
        guard alnumRun() else { return false }
        while i < u.count {
            switch u[i] {
            case 0x2e: i += 1                                           // .
            case 0x5f: i += (i + 1 < u.count && u[i + 1] == 0x5f) ? 2 : 1  // _ or __
            case 0x2d: while i < u.count && u[i] == 0x2d { i += 1 }      // -+
            default: return false
            }
            guard alnumRun() else { return false }
        }
        return true
    }
}

public struct ImageReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        case empty
        case hexOnly
        case domain(String)
        case path(String)
        case uppercase(String)
        case tag(String)
        case digest(DigestError)
        case nameTooLong(Int)
    }

    public let reference: String
    public let problem: Problem

    public var description: String {
        let why: String
        switch problem {
        case .empty: why = "repository name is empty"
        case .hexOnly: why = "cannot specify 64-byte hexadecimal strings as a repository name"
        case .domain(let d): why = "invalid registry domain \"\(d)\""
        case .path(let p): why = "invalid repository path \"\(p)\": use lowercase letters, digits and separators . _ __ -"
        case .uppercase(let p): why = "repository name must be lowercase (\"\(p)\")"
        case .tag(let t): why = "invalid tag \"\(t)\": use letters, digits, '_', '.' and '-', not starting with '.' or '-', at most 128"
        case .digest(let e): why = e.description
        case .nameTooLong(let n): why = "repository name is \(n) characters, more than \(ImageReference.nameMaxLength)"
        }
        return "invalid image reference \"\(reference)\": \(why)"
    }
}
