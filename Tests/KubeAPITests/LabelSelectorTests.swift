import Testing
@testable import KubeAPI

@Suite struct LabelSelectorTests {
    static let canonical: [(String, String)] = [
        ("", ""), ("x=a", "x=a"), ("x==a", "x==a"), ("x!=a", "x!=a"), ("x in (a,b)", "x in (a,b)"),
        ("x in (b,a,a)", "x in (a,b)"), ("x notin (a)", "x notin (a)"), ("x", "x"), ("!x", "!x"),
        ("  x  =  a  ", "x=a"), ("z=1,a=2", "a=2,z=1"), ("x=a,y!=b", "x=a,y!=b"), ("x=", "x="),
        ("x=,y=b", "x=,y=b"), ("x in ()", "x in ()"), ("x in (,a)", "x in (,a)"), ("x>1", "x>1"),
        ("x<10", "x<10"), ("example.com/app=web", "example.com/app=web"), ("x in (in)", "x in (in)"),
        ("in=notin", "in=notin"), ("a,b,!c", "a,b,!c"), ("x notin(a,b)", "x notin (a,b)"), ("x==", "x=="),
        ("\tapp\t=\tweb\t,\n!canary", "app=web,!canary"), ("x in (a, b)", "x in (a,b)"), ("x in (a,,b)", "x in (,a,b)"),
        ("My.Key-1_2=Val_ue.3", "My.Key-1_2=Val_ue.3"),
    ]

    @Test(arguments: canonical)
    func parsesToCanonical(_ input: String, _ expected: String) throws {
        let s = try Selector.parse(input)
        #expect(s.description == expected)
        #expect(try Selector.parse(s.description) == s)
    }

    static let nameMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    static let valueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

    static let errors: [(String, String)] = [
        ("x=a b", "found 'b', expected: ',' or 'end of string'"),
        ("x in a", "unable to parse requirement: found 'a' expected: '('"),
        ("x=a,", "found '', expected: identifier after ','"),
        (",x", "found ',', expected: !, identifier, or 'end of string'"),
        ("x=(a)", "unable to parse requirement: found '(', expected: identifier"),
        ("!x=a", "found '=', expected: ',' or 'end of string'"),
        ("x>a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("-x=a", "unable to parse requirement: <nil>: Invalid value: \"-x\": " + nameMsg),
        ("x=-a", "unable to parse requirement: values[0][x]: Invalid value: \"-a\": " + valueMsg),
        ("x in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("x=a=b", "found '=', expected: ',' or 'end of string'"),
        ("x!", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"),
        ("x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("a/b/c", "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"),
    ]

    @Test(arguments: errors)
    func rejects(_ input: String, _ message: String) {
        #expect(throws: SelectorError(message)) { try Selector.parse(input) }
    }

    /// apimachinery's TestSelectorParse: good strings re-print without their spaces; bad ones fail.
    @Test func upstreamParse() throws {
        for good in ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"] {
            #expect(try Selector.parse(good).description == String(good.filter { $0 != " " }))
        }
        for bad in ["x=a||y=b", "x==a==b", "!x=a", "x<a"] {
            #expect(throws: SelectorError.self) { try Selector.parse(bad) }
        }
        let reqs = [
            try Requirement(key: "x", op: .equals, values: ["abc"]), try Requirement(key: "y", op: .doubleEquals, values: ["jkl"]),
            try Requirement(key: "z", op: .notEquals, values: ["a"]), try Requirement(key: "z", op: .exists),
        ]
        #expect(Selector(reqs).description == "x=abc,y==jkl,z!=a,z")
        #expect(try Selector([Requirement(key: "x", op: .notIn, values: ["abc"]), Requirement(key: "y", op: .in, values: ["mno", "jkl"]),
                              Requirement(key: "z", op: .notIn, values: [""])]).description
            == "x notin (abc),y in (jkl,mno),z notin ()")
    }

    static let matching: [(String, [String: String], Bool)] = [
        ("", [:], true), ("", ["a": "b"], true), ("x=a", ["x": "a"], true), ("x=a", ["x": "b"], false),
        ("x=a", [:], false), ("x!=a", [:], true), ("x!=a", ["x": "a"], false), ("x!=a", ["x": "b"], true),
        ("x in (a,b)", ["x": "b"], true), ("x in (a,b)", ["x": "c"], false), ("x notin (a,b)", ["x": "c"], true),
        ("x notin (a,b)", [:], true), ("x notin (a,b)", ["x": "a"], false), ("x", ["x": ""], true), ("x", [:], false),
        ("!x", [:], true), ("!x", ["x": "1"], false), ("x>1", ["x": "2"], true), ("x>1", ["x": "1"], false),
        ("x>1", ["x": "z"], false), ("x<1", ["x": "-5"], true), ("x=", ["x": ""], true), ("x=", [:], false),
        ("app=web,tier in (fe,be),!canary", ["app": "web", "tier": "fe"], true),
        ("app=web,tier in (fe,be),!canary", ["app": "web", "tier": "fe", "canary": "y"], false),
        ("app=web,tier in (fe,be),!canary", ["app": "web"], false), ("x in ()", ["x": ""], true),
        ("x==a", ["x": "a"], true),
    ]

    @Test(arguments: matching)
    func matches(_ selector: String, _ labels: [String: String], _ expected: Bool) throws {
        #expect(try Selector.parse(selector).matches(labels) == expected)
    }

    @Test func fromLabelSelector() throws {
        #expect(try Selector(nil as LabelSelector?).matches([:]) == false)
        #expect(try Selector(LabelSelector()).isEverything)
        let ls = LabelSelector(matchLabels: ["app": "web"], matchExpressions: [
            LabelSelectorRequirement(key: "tier", operator: "In", values: ["fe", "be"]),
            LabelSelectorRequirement(key: "canary", operator: "DoesNotExist"),
            LabelSelectorRequirement(key: "zone", operator: "NotIn", values: ["a"]),
            LabelSelectorRequirement(key: "env", operator: "Exists"),
        ])
        let s = try Selector(ls)
        #expect(s.description == "app=web,!canary,env,tier in (be,fe),zone notin (a)")
        #expect(s.matches(["app": "web", "tier": "be", "env": "prod"]))
        #expect(!s.matches(["app": "web", "tier": "be"]))
        #expect(s.requiresExactMatch("app") == "web")
        #expect(s.requiresExactMatch("tier") == nil)
        #expect(throws: SelectorError("\"Equals\" is not a valid label selector operator")) {
            try Selector(LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "a", operator: "Equals")]))
        }
        #expect(throws: SelectorError("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty")) {
            try Selector(LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "a", operator: "In", values: [])]))
        }
        #expect(throws: SelectorError("values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist")) {
            try Selector(LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "a", operator: "Exists", values: ["x"])]))
        }
        #expect(try Selector(matching: ["b": "2", "a": "1"]).description == "a=1,b=2")
        #expect(try Selector.parse("a=1").adding(try Requirement(key: "0", op: .exists)).description == "0,a=1")
    }
}

@Suite struct FieldSelectorTests {
    static let cases: [(String, [String: String], Bool)] = [
        ("metadata.name=x", ["metadata.name": "x"], true), ("metadata.name=x", ["metadata.name": "y"], false),
        ("metadata.namespace!=y", ["metadata.namespace": "y"], false),
        ("metadata.namespace!=y", ["metadata.namespace": "z"], true), ("spec.nodeName=", [:], true),
        ("spec.nodeName=", ["spec.nodeName": "n1"], false), ("spec.nodeName!=", ["spec.nodeName": "n1"], true),
        ("status.phase=Running,spec.nodeName=n1", ["status.phase": "Running", "spec.nodeName": "n1"], true),
        ("status.phase=Running,spec.nodeName=n1", ["status.phase": "Pending", "spec.nodeName": "n1"], false),
        ("status.phase==Running", ["status.phase": "Running"], true), ("", ["a": "b"], true),
        ("metadata.name=a\\,b", ["metadata.name": "a,b"], true), ("x=a\\=b", ["x": "a=b"], true),
        ("x=a\\\\", ["x": "a\\"], true), ("a=b,", ["a": "b"], true),
    ]

    @Test(arguments: cases)
    func matches(_ selector: String, _ fields: [String: String], _ expected: Bool) throws {
        #expect(try FieldSelector.parse(selector).matches(fields) == expected)
    }

    @Test func canonical() throws {
        #expect(try FieldSelector.parse("a==b").description == "a=b")
        #expect(try FieldSelector.parse("b=1,a!=2").description == "a!=2,b=1")
        #expect(try FieldSelector.parse("metadata.name=a\\,b").description == "metadata.name=a\\,b")
        #expect(try FieldSelector.parse("").isEverything)
        let s = try FieldSelector.parse("spec.nodeName=n1,status.phase!=Failed")
        #expect(s.requiresExactMatch("spec.nodeName") == "n1")
        #expect(s.requiresExactMatch("status.phase") == nil)
        #expect(s.terms == [FieldSelector.Term(field: "spec.nodeName", value: "n1"),
                            FieldSelector.Term(field: "status.phase", value: "Failed", negated: true)])
    }

    static let errors: [(String, String)] = [
        ("x", "invalid selector: 'x'; can't understand 'x'"),
        ("a=b,x", "invalid selector: 'a=b,x'; can't understand 'x'"),
        ("x=a\\b", "invalid field selector: invalid escape sequence: \\b"),
        ("x=a=b", "invalid field selector: unescaped character in value: 61"),
        ("x=a\\", "invalid field selector: invalid escape sequence: \\"),
    ]

    @Test(arguments: errors)
    func rejects(_ input: String, _ message: String) {
        #expect(throws: SelectorError(message)) { try FieldSelector.parse(input) }
    }
}
