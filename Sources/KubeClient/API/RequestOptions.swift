/// `metav1.ListOptions` for a list.
public struct ListOptions: Hashable, Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Page size; the response carries a continue token when more remain.
    public var limit: Int?
    public var `continue`: String?
    /// "0" serves from the watch cache (any age); nil reads the latest from the store.
    public var resourceVersion: String?
    /// "Exact" or "NotOlderThan" (with resourceVersion).
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil,
                continue: String? = nil, resourceVersion: String? = nil, resourceVersionMatch: String? = nil,
                timeoutSeconds: Int? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continue = `continue`
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }

    var query: String {
        queryString([("labelSelector", labelSelector), ("fieldSelector", fieldSelector),
                     ("limit", limit.map(String.init)), ("continue", `continue`),
                     ("resourceVersion", resourceVersion), ("resourceVersionMatch", resourceVersionMatch),
                     ("timeoutSeconds", timeoutSeconds.map(String.init))])
    }
}

/// `metav1.ListOptions` for a watch.
public struct WatchOptions: Hashable, Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Events after this version; nil or "0" starts with synthetic ADDED events for what exists.
    public var resourceVersion: String?
    public var allowWatchBookmarks: Bool
    /// The server ends the watch after this long.
    public var timeoutSeconds: Int?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
                allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var query: String {
        queryString([("watch", "true"), ("labelSelector", labelSelector), ("fieldSelector", fieldSelector),
                     ("resourceVersion", resourceVersion),
                     ("allowWatchBookmarks", allowWatchBookmarks ? "true" : nil),
                     ("timeoutSeconds", timeoutSeconds.map(String.init))])
    }
}

/// The content types of a PATCH.
public enum PatchType: String, Hashable, Sendable {
    case strategicMerge = "application/strategic-merge-patch+json"
    case merge = "application/merge-patch+json"
    case json = "application/json-patch+json"
}
