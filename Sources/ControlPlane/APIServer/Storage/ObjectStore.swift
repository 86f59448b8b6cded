import KubeAPI
import Store

/// One object as read from the store: its JSON with `metadata.resourceVersion` set to the key's mod
/// revision (Kubernetes' resourceVersion is the etcd revision of the last write to the object).
public struct StoredObject: Sendable {
    public var object: JSONValue
    public var modRevision: Int64
    public var createRevision: Int64
}

/// A page of a collection read at one revision.
struct StoredPage: Sendable {
    var items: [StoredObject]
    var keys: [String]
    /// The revision the page was read at.
    var revision: Int64
    /// Keys in the range past this page.
    var more: Bool
    var count: Int64
}

/// The API server's view of the key-value store: objects as JSON under their keys, creates that fail if
/// the key exists, updates and deletes that fail unless the key is still at the revision read. The
/// resourceVersion is stripped before writing (the revision is the version).
struct ObjectStore: Sendable {
    let client: any KeyValueClient

    static func decode(_ kv: KeyValue) throws -> StoredObject {
        var object = try JSONValue.parse(kv.value)
        object.setMeta("resourceVersion", .string(String(kv.modRevision)))
        return StoredObject(object: object, modRevision: kv.modRevision, createRevision: kv.createRevision)
    }

    static func encode(_ object: JSONValue) throws -> [UInt8] {
        var stripped = object
        stripped.setMeta("resourceVersion", nil)
        return try stripped.serialized()
    }

    func get(_ key: String, revision: Int64 = 0) async throws -> StoredObject? {
        let r = try await client.range(RangeRequest(key: Array(key.utf8), revision: revision))
        guard let kv = r.kvs.first else { return nil }
        return try Self.decode(kv)
    }

    /// The store's current revision (a linearizable read of nothing).
    func currentRevision() async throws -> Int64 {
        try await client.range(RangeRequest(key: Array("/registry/\u{0}".utf8), countOnly: true)).revision
    }

    /// Puts `object` at `key` if the key does not exist, together with `extra` operations guarded by
    /// `extraCompares`. Returns the new revision, or nil when a compare failed (`createFailed` tells
    /// whether it was the object's own key).
    func create(_ key: String, _ object: JSONValue, extraCompares: [Compare] = [], extraOps: [RequestOp] = [])
        async throws -> (revision: Int64?, keyExists: Bool) {
        let k = Array(key.utf8)
        let value = try Self.encode(object)
        let txn = TxnRequest(compares: [Compare(key: k, .create(0), .equal)] + extraCompares,
                             success: [.put(PutRequest(key: k, value: value))] + extraOps,
                             failure: [.range(RangeRequest(key: k, countOnly: true))])
        let r = try await client.txn(txn)
        if r.succeeded { return (r.revision, false) }
        var exists = true
        if case .range(let rr)? = r.responses.first { exists = rr.count > 0 }
        return (nil, exists)
    }

    /// Replaces the object if the key is still at `modRevision`; nil on a conflict.
    func update(_ key: String, _ object: JSONValue, modRevision: Int64, extraCompares: [Compare] = [],
                extraOps: [RequestOp] = []) async throws -> Int64? {
        let k = Array(key.utf8)
        let value = try Self.encode(object)
        let txn = TxnRequest(compares: [Compare(key: k, .mod(modRevision), .equal)] + extraCompares,
                             success: [.put(PutRequest(key: k, value: value))] + extraOps)
        let r = try await client.txn(txn)
        return r.succeeded ? r.revision : nil
    }

    /// Deletes the object if the key is still at `modRevision`; nil on a conflict.
    func delete(_ key: String, modRevision: Int64, extraOps: [RequestOp] = []) async throws -> Int64? {
        let k = Array(key.utf8)
        let txn = TxnRequest(compares: [Compare(key: k, .mod(modRevision), .equal)],
                             success: [.deleteRange(DeleteRangeRequest(key: k))] + extraOps)
        let r = try await client.txn(txn)
        return r.succeeded ? r.revision : nil
    }

    /// Up to `limit` objects (0 = all) of `prefix` from `startKey` on, read at `revision` (0 = now).
    func list(prefix: String, startKey: String? = nil, revision: Int64, limit: Int64) async throws -> StoredPage {
        let p = Array(prefix.utf8)
        let r = try await client.range(RangeRequest(key: startKey.map { Array($0.utf8) } ?? p,
                                                    end: prefixRangeEnd(p), limit: limit, revision: revision))
        var items: [StoredObject] = []
        var keys: [String] = []
        items.reserveCapacity(r.kvs.count)
        for kv in r.kvs {
            items.append(try Self.decode(kv))
            keys.append(String(decoding: kv.key, as: UTF8.self))
        }
        return StoredPage(items: items, keys: keys, revision: revision > 0 ? revision : r.revision,
                          more: r.more, count: r.count)
    }
}

extension JSONValue {
    /// `metadata.<key>`, nil when absent or when metadata is not an object.
    func meta(_ key: String) -> JSONValue? { self["metadata"]?[key] }

    func metaString(_ key: String) -> String? { meta(key)?.stringValue }

    /// Sets (or with nil removes) `metadata.<key>`, creating `metadata` when needed.
    mutating func setMeta(_ key: String, _ value: JSONValue?) {
        guard case .object(var o) = self else { return }
        var m = o["metadata"]?.objectValue ?? [:]
        m[key] = value
        o["metadata"] = .object(m)
        self = .object(o)
    }

    var labels: [String: String] {
        guard let o = meta("labels")?.objectValue else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in o { if let s = v.stringValue { out[k] = s } }
        return out
    }

    var finalizers: [String] { meta("finalizers")?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// Sets a value at a path of object keys, creating intermediate objects.
    mutating func set(_ path: [String], _ value: JSONValue?) {
        guard let first = path.first else { if let value { self = value }; return }
        guard case .object(var o) = self else { return }
        if path.count == 1 {
            o[first] = value
        } else {
            var child = o[first] ?? .object([:])
            if child.objectValue == nil { child = .object([:]) }
            child.set(Array(path.dropFirst()), value)
            o[first] = child
        }
        self = .object(o)
    }
}
