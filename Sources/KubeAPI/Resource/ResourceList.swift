/// `core/v1.ResourceList`: resource name → quantity (`cpu`, `memory`, `pods`, `ephemeral-storage`, …).
public typealias ResourceList = [String: Quantity]

public enum ResourceName {
    public static let cpu = "cpu"
    public static let memory = "memory"
    public static let pods = "pods"
    public static let ephemeralStorage = "ephemeral-storage"
    public static let storage = "storage"
}

extension Dictionary where Key == String, Value == Quantity {
    public var cpu: Quantity? {
        get { self[ResourceName.cpu] }
        set { self[ResourceName.cpu] = newValue }
    }
    public var memory: Quantity? {
        get { self[ResourceName.memory] }
        set { self[ResourceName.memory] = newValue }
    }
    public var pods: Quantity? {
        get { self[ResourceName.pods] }
        set { self[ResourceName.pods] = newValue }
    }

    /// Element-wise sum (keys of either).
    public func adding(_ other: ResourceList) -> ResourceList {
        var r = self
        for (k, v) in other { r[k] = (r[k] ?? .zero) + v }
        return r
    }

    /// Element-wise difference (keys of either; missing counts as zero).
    public func subtracting(_ other: ResourceList) -> ResourceList {
        var r = self
        for (k, v) in other { r[k] = (r[k] ?? .zero) - v }
        return r
    }

    /// True when every quantity in `self` is ≤ the same resource in `other` (missing counts as zero).
    public func fits(in other: ResourceList) -> Bool {
        allSatisfy { k, v in v <= (other[k] ?? .zero) }
    }

    /// Resources whose value in `self` exceeds `limit` (keys of `self` only).
    public func exceeding(_ limit: ResourceList) -> [String] {
        compactMap { k, v in v > (limit[k] ?? .zero) ? k : nil }.sorted()
    }
}
