/// Name and label validation with the exact messages of `k8s.io/apimachinery/pkg/util/validation`
/// (and `pkg/api/validate/content`). Each function returns the list of problems; empty means valid.
public enum Validation {
    public static let dns1123LabelMaxLength = 63
    public static let dns1123SubdomainMaxLength = 253
    public static let labelValueMaxLength = 63
    public static let labelKeyNameMaxLength = 63

    static let dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    static let dns1123SubdomainFmt = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*"
    static let dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    static let dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?"
    static let dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
    static let labelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let labelKeyErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    static let labelValueFmt = "(" + labelKeyFmt + ")?"
    static let labelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

    /// `RegexError`: `msg (e.g. 'a' or 'b', regex used for validation is 'fmt')`.
    public static func regexError(_ msg: String, _ fmt: String, _ examples: String...) -> String {
        if examples.isEmpty { return msg + " (regex used for validation is '" + fmt + "')" }
        var s = msg + " (e.g. "
        for (i, e) in examples.enumerated() {
            if i > 0 { s += " or " }
            s += "'" + e + "', "
        }
        return s + "regex used for validation is '" + fmt + "')"
    }

    public static func maxLenError(_ n: Int) -> String { "must be no more than \(n) characters" }
    public static let emptyError = "must be non-empty"

    // Character classes over UTF-8 bytes.
    private static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    private static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 65 && c <= 90) }
    private static let dash = UInt8(ascii: "-"), dot = UInt8(ascii: "."), underscore = UInt8(ascii: "_")

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    static func matchesDNSLabel(_ b: some Collection<UInt8>) -> Bool {
        guard let f = b.first, let l = b.reversed().first, isLowerAlnum(f), isLowerAlnum(l) else { return false }
        return b.allSatisfy { isLowerAlnum($0) || $0 == dash }
    }

    static func matchesDNSSubdomain(_ s: String) -> Bool {
        s.utf8.split(separator: dot, omittingEmptySubsequences: false).allSatisfy { matchesDNSLabel($0) }
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
    static func matchesLabelKeyName(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard let f = b.first, let l = b.last, isAlnum(f), isAlnum(l) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == dash || $0 == underscore || $0 == dot }
    }

    /// `IsDNS1123Label`: names of namespaces, services, containers, ports…
    public static func dns1123Label(_ value: String) -> [String] {
        var errs: [String] = []
        if value.utf8.count > dns1123LabelMaxLength { errs.append(maxLenError(dns1123LabelMaxLength)) }
        if !matchesDNSLabel(value.utf8) {
            if matchesDNSSubdomain(value) {
                errs.append("must not contain dots")
            } else {
                errs.append(regexError(dns1123LabelErrMsg, dns1123LabelFmt, "my-name", "123-abc"))
            }
        }
        return errs
    }

    /// `IsDNS1123Subdomain`: names of most objects (pods, deployments, configmaps, nodes…).
    public static func dns1123Subdomain(_ value: String) -> [String] {
        var errs: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength { errs.append(maxLenError(dns1123SubdomainMaxLength)) }
        if !matchesDNSSubdomain(value) {
            errs.append(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, "example.com"))
        }
        return errs
    }

    /// `IsDNS1035Label`: service names.
    public static func dns1035Label(_ value: String) -> [String] {
        var errs: [String] = []
        if value.utf8.count > dns1123LabelMaxLength { errs.append(maxLenError(dns1123LabelMaxLength)) }
        let b = Array(value.utf8)
        if !(matchesDNSLabel(b) && (b[0] >= 97 && b[0] <= 122)) {
            errs.append(regexError(dns1035LabelErrMsg, dns1035LabelFmt, "my-name", "abc-123"))
        }
        return errs
    }

    /// `IsQualifiedName` / `IsLabelKey`: label and annotation keys (`[prefix/]name`).
    public static func labelKey(_ value: String) -> [String] {
        var errs: [String] = []
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let name: String
        switch parts.count {
        case 1:
            name = String(parts[0])
        case 2:
            let prefix = String(parts[0])
            name = String(parts[1])
            if prefix.isEmpty {
                errs.append("prefix part " + emptyError)
            } else {
                errs += dns1123Subdomain(prefix).map { "prefix part " + $0 }
            }
        default:
            return ["a valid label key " + regexError(labelKeyErrMsg, labelKeyFmt, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errs.append("name part " + emptyError)
        } else if name.utf8.count > labelKeyNameMaxLength {
            errs.append("name part " + maxLenError(labelKeyNameMaxLength))
        }
        if !matchesLabelKeyName(name) {
            errs.append("name part " + regexError(labelKeyErrMsg, labelKeyFmt, "MyName", "my.name", "123-abc"))
        }
        return errs
    }

    /// `IsValidLabelValue`.
    public static func labelValue(_ value: String) -> [String] {
        var errs: [String] = []
        if value.utf8.count > labelValueMaxLength { errs.append(maxLenError(labelValueMaxLength)) }
        if !value.isEmpty, !matchesLabelKeyName(value) {
            errs.append(regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"))
        }
        return errs
    }

    /// Field errors for a labels map (`metadata.labels`), as `ValidateLabels`.
    public static func labels(_ labels: [String: String], field: String = "metadata.labels") -> [FieldError] {
        var out: [FieldError] = []
        for k in labels.keys.sorted() {
            for e in labelKey(k) { out.append(.invalid(field, k, e)) }
            for e in labelValue(labels[k]!) { out.append(.invalid(field, labels[k]!, e)) }
        }
        return out
    }
}
