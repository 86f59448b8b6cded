/// `metav1.LabelSelectorRequirement`. `operator` is In, NotIn, Exists or DoesNotExist.
public struct LabelSelectorRequirement: Codable, Hashable, Sendable {
    public var key: String
    public var `operator`: String
    public var values: [String]?
    public init(key: String, operator: String, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}

/// `metav1.LabelSelector`. Evaluate through `Selector(_:)` (Selectors/LabelSelectorString.swift).
public struct LabelSelector: Codable, Hashable, Sendable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?
    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}
