import Testing
@testable import KubeAPI

/// Our strategic merge patch against the real thing: each case's expected result or error message
/// came from kubectl (see KubectlSMPCases.swift).
@Suite struct KubectlDifferentialTests {
    /// What the apiserver's typed decode would keep of Go's raw result: nulls inside objects and
    /// directive keys left in verbatim content go (we drop them when applying, on purpose).
    static func typedView(_ v: JV) -> JV {
        switch v {
        case .object(let o):
            var out: [String: JV] = [:]
            for (k, x) in o where x != .null && !k.hasPrefix("$") { out[k] = typedView(x) }
            return .object(out)
        case .array(let a):
            return .array(a.map(typedView))
        default:
            return v
        }
    }

    @Test func matchesKubectlOnRandomPodPatches() throws {
        guard case .array(let cases) = try json(kubectlSMPCases) else {
            Issue.record("fixture is not a list")
            return
        }
        #expect(cases.count > 150)
        let schema = try #require(PatchStrategies.schema(group: "", kind: "Pod"))
        var results = 0, errors = 0
        for (i, c) in cases.enumerated() {
            let live = try #require(c["live"]), patch = try #require(c["patch"])
            let outcome = Result { () throws(PatchError) in try StrategicMergePatch.apply(patch: patch, to: live, schema: schema) }
            switch (outcome, c["result"], c["error"]) {
            case (.success(let got), let want?, nil):
                results += 1
                let same = Self.typedView(got) == Self.typedView(want)
                #expect(same,
                        "case \(i)\nlive \(render(live))\npatch \(render(patch))\nwant \(render(Self.typedView(want)))\ngot  \(render(got))")
            case (.failure(let error), nil, .string(let message)?):
                errors += 1
                #expect(error.detail.trimmingSuffixWhitespace == message, "case \(i)\npatch \(render(patch))")
            case (.success(let got), _, let message?):
                Issue.record("case \(i): kubectl failed with \(render(message)) but we gave \(render(got))\npatch \(render(patch))")
            case (.success, nil, nil):
                Issue.record("case \(i): fixture has neither result nor error")
            case (.failure(let error), _, _):
                Issue.record("case \(i): we failed with \(error.detail)\nlive \(render(live))\npatch \(render(patch))")
            }
        }
        #expect(results > 100 && errors > 0)
    }
}

extension String {
    /// kubectl prints errors with trailing whitespace trimmed.
    var trimmingSuffixWhitespace: String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
