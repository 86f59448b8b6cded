/// Node affinity evaluation (`component-helpers/scheduling/corev1/nodeaffinity`).
extension NodeSelectorRequirement {
    /// As a label requirement: In, NotIn, Exists, DoesNotExist, Gt, Lt.
    public func asRequirement() throws(SelectorError) -> Requirement {
        let op: Requirement.Operator
        switch `operator` {
        case "In": op = .in
        case "NotIn": op = .notIn
        case "Exists": op = .exists
        case "DoesNotExist": op = .doesNotExist
        case "Gt": op = .greaterThan
        case "Lt": op = .lessThan
        default: throw SelectorError("\"\(`operator`)\" is not a valid node selector operator")
        }
        return try Requirement(key: key, op: op, values: values ?? [])
    }
}

extension NodeSelectorTerm {
    /// A term matches when all its expressions match the labels and all its field requirements match
    /// the node's fields (only `metadata.name`, In/NotIn with one value). An empty or invalid term
    /// matches nothing.
    public func matches(labels: [String: String], nodeName: String) -> Bool {
        let exprs = matchExpressions ?? []
        let fields = matchFields ?? []
        if exprs.isEmpty && fields.isEmpty { return false }
        for e in exprs {
            guard let r = try? e.asRequirement(), r.matches(labels) else { return false }
        }
        for f in fields {
            guard f.key == "metadata.name", f.values?.count == 1, f.operator == "In" || f.operator == "NotIn",
                  let r = try? Requirement(key: "metadata.name", op: f.operator == "In" ? .in : .notIn,
                                           values: f.values ?? [])
            else { return false }
            if !r.matches(["metadata.name": nodeName]) { return false }
        }
        return true
    }
}

extension NodeSelector {
    /// Terms are ORed.
    public func matches(_ node: Node) -> Bool {
        nodeSelectorTerms.contains { $0.matches(labels: node.metadata.labels ?? [:], nodeName: node.metadata.name ?? "") }
    }
}

extension PodSpec {
    /// `nodeSelector` and required node affinity both hold for `node` (taints are checked separately).
    public func requiredNodeAffinityMatches(_ node: Node) -> Bool {
        let labels = node.metadata.labels ?? [:]
        for (k, v) in nodeSelector ?? [:] where labels[k] != v { return false }
        if let required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution {
            return required.matches(node)
        }
        return true
    }

    /// Whether every NoSchedule/NoExecute taint of `node` is tolerated.
    public func toleratesTaints(of node: Node, effects: Set<String> = ["NoSchedule", "NoExecute"]) -> Bool {
        let tols = tolerations ?? []
        return (node.spec?.taints ?? []).allSatisfy { t in
            !effects.contains(t.effect) || tols.contains { $0.tolerates(t) }
        }
    }
}
