import Testing
@testable import KubeAPI

@Suite struct ValidationTests {
    static let subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

    static let labels: [(String, [String])] = [
        ("a", []), ("my-name", []), ("123-abc", []), ("a" + String(repeating: "b", count: 62), []),
        ("", [labelMsg]), ("-a", [labelMsg]), ("a-", [labelMsg]), ("A", [labelMsg]), ("a_b", [labelMsg]),
        ("a.b", ["must not contain dots"]),
        (String(repeating: "a", count: 64), ["must be no more than 63 characters"]),
    ]

    @Test(arguments: labels)
    func dns1123Label(_ v: String, _ errs: [String]) { #expect(Validation.dns1123Label(v) == errs) }

    static let subdomains: [(String, [String])] = [
        ("example.com", []), ("a", []), ("a.b-c.d", []), ("0.0", []), ("", [subdomainMsg]), ("a..b", [subdomainMsg]),
        (".a", [subdomainMsg]), ("a.", [subdomainMsg]), ("A.com", [subdomainMsg]), ("a_b", [subdomainMsg]),
        ("a.-b", [subdomainMsg]),
        (String(repeating: "a", count: 254), ["must be no more than 253 characters"]),
    ]

    @Test(arguments: subdomains)
    func dns1123Subdomain(_ v: String, _ errs: [String]) { #expect(Validation.dns1123Subdomain(v) == errs) }

    static let nameRegex = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

    static let keys: [(String, [String])] = [
        ("app", []), ("App.Name_1-x", []), ("example.com/app", []), ("kubernetes.io/hostname", []),
        ("a/b/c", ["a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]),
        ("/a", ["prefix part must be non-empty"]), ("a/", ["name part must be non-empty", nameRegex]),
        ("", ["name part must be non-empty", nameRegex]), ("-a", [nameRegex]), ("a b", [nameRegex]),
        ("Example.com/a", ["prefix part " + subdomainMsg]),
        (String(repeating: "a", count: 64), ["name part must be no more than 63 characters"]),
    ]

    @Test(arguments: keys)
    func labelKey(_ v: String, _ errs: [String]) { #expect(Validation.labelKey(v) == errs) }

    static let valueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

    static let values: [(String, [String])] = [
        ("", []), ("v1", []), ("My_Value.x-1", []), ("-a", [valueMsg]), ("a b", [valueMsg]), ("a/b", [valueMsg]),
        (String(repeating: "a", count: 64), ["must be no more than 63 characters"]),
    ]

    @Test(arguments: values)
    func labelValue(_ v: String, _ errs: [String]) { #expect(Validation.labelValue(v) == errs) }

    @Test func labelsMap() {
        let errs = Validation.labels(["ok": "fine", "bad key": "v"])
        #expect(errs.count == 1)
        #expect(errs[0].description == "metadata.labels: Invalid value: \"bad key\": " + Self.nameRegex)
    }
}
