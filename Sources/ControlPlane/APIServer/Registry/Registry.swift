import FoundationEssentials
import KubeAPI
import Store

/// The generic registry (kube's `genericregistry.Store`): get, list, create, update and delete of any
/// served resource against the key-value store, with the strategy, defaulting, validation and
/// allocation hooks of its kind. Errors are thrown as `Status`; store errors pass through and the
/// handler maps them.
struct Registry: Sendable {
    let store: ObjectStore
    let allocator: ServiceAllocator

    static let nameChars = Array("bcdfghjklmnpqrstvwxz2456789")

    /// `generateName` + 5 random characters from kube's alphabet (no vowels, no confusable digits).
    static func generateName(_ base: String) -> String {
        let trimmed = base.utf8.count > 58 ? String(base.prefix(58)) : base
        var s = trimmed
        for _ in 0..<5 { s.append(nameChars[Int.random(in: 0..<nameChars.count)]) }
        return s
    }

    // MARK: get

    func get(_ strategy: ResourceStrategy, namespace: String, name: String, resourceVersion: String? = nil)
        async throws -> StoredObject {
        let key = StorageKeys.objectKey(strategy.resource, namespace: namespace, name: name)
        let revision = Int64(resourceVersion ?? "") ?? 0
        guard let found = try await store.get(key, revision: revision > 0 ? revision : 0) else {
            throw Status.notFound(strategy.groupResource, name: name)
        }
        return found
    }

    // MARK: list

    /// One page of a collection, filtered by the selectors; the list object as the API returns it.
    func list(_ strategy: ResourceStrategy, namespace: String, options: ListOptions) async throws -> JSONValue {
        let prefix = StorageKeys.collectionPrefix(strategy.resource, namespace: namespace)
        var revision: Int64 = 0
        var start: String? = nil
        if let token = options.continueToken {
            revision = token.rv
            start = prefix + token.start
        } else if options.resourceVersionMatch == "Exact", let rv = options.resourceVersionNumber {
            revision = rv
        }
        let filtering = !options.labelSelector.isEverything || !options.fieldSelector.isEverything
        var items: [JSONValue] = []
        var lastKey: String?
        var more = false
        var count: Int64 = 0
        var firstPage = true
        while true {
            let want = options.limit > 0 ? options.limit - Int64(items.count) : 0
            // With a selector, read in larger chunks: most keys may not match.
            let chunk = options.limit > 0 ? (filtering ? max(want, 100) : want) : 0
            let page: StoredPage
            do {
                page = try await store.list(prefix: prefix, startKey: start, revision: revision, limit: chunk)
            } catch MVCCError.compacted(let c) {
                if options.continueToken != nil {
                    throw Status.expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
                }
                throw Status.expired("too old resource version: \(revision) (\(c))")
            } catch MVCCError.futureRevision {
                throw Status.timeout("Too large resource version: \(revision), current: unknown", retryAfterSeconds: 1)
            }
            revision = page.revision
            if firstPage { count = page.count; firstPage = false }
            var stoppedEarly = false
            for (i, obj) in page.items.enumerated() {
                if matches(strategy, obj.object, options) {
                    if options.limit > 0 && Int64(items.count) >= options.limit {
                        stoppedEarly = true
                        break
                    }
                    items.append(obj.object)
                }
                lastKey = page.keys[i]
            }
            if stoppedEarly { more = true; break }
            if !page.more { more = false; break }
            guard let lk = lastKey else { more = false; break }
            start = lk + "\u{0}"
            if options.limit > 0 && Int64(items.count) >= options.limit { more = true; break }
        }
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(revision))]
        if more, let lastKey {
            let rel = String(lastKey.dropFirst(prefix.count)) + "\u{0}"
            metadata["continue"] = .string(ContinueToken(rv: revision, start: rel).encoded())
            if !filtering, options.continueToken == nil {
                metadata["remainingItemCount"] = .integer(max(0, count - Int64(items.count)))
            }
        }
        return .object([
            "kind": .string(strategy.info.kind + "List"),
            "apiVersion": .string(strategy.info.groupVersion),
            "metadata": .object(metadata),
            "items": .array(items),
        ])
    }

    func matches(_ strategy: ResourceStrategy, _ object: JSONValue, _ options: ListOptions) -> Bool {
        (options.labelSelector.isEverything || options.labelSelector.matches(object.labels))
            && (options.fieldSelector.isEverything || options.fieldSelector.matches(strategy.fieldSet(object)))
    }

    // MARK: create

    /// Creates `body` in `namespace` (already checked to exist); returns the stored object.
    func create(_ strategy: ResourceStrategy, namespace: String, body: JSONValue, dryRun: Bool) async throws -> JSONValue {
        var object = try Registry.normalizeBody(strategy, body, namespace: namespace)
        if (object.metaString("name") ?? "").isEmpty, let gen = object.metaString("generateName"), !gen.isEmpty {
            object.setMeta("name", .string(Registry.generateName(gen)))
        }
        if let rv = object.metaString("resourceVersion"), !rv.isEmpty {
            throw Status.badRequest("resourceVersion should not be set on objects to be created")
        }
        prepareForCreate(strategy, &object)
        Defaulting.apply(resource: strategy.resource, to: &object)
        try Registry.checkValid(strategy, object)

        let name = object.metaString("name") ?? ""
        let key = StorageKeys.objectKey(strategy.resource, namespace: namespace, name: name)
        // Allocation checks would report a name conflict as a taken address: look first.
        if strategy.resource == "services", try await store.get(key) != nil {
            throw Status.alreadyExists(strategy.groupResource, name: name)
        }
        var attempt = 0
        while true {
            attempt += 1
            var allocated = object
            let claim = try await allocator.claim(strategy, &allocated, old: nil)
            try Registry.checkValid(strategy, allocated)
            if dryRun {
                if try await store.get(key) != nil { throw Status.alreadyExists(strategy.groupResource, name: name) }
                return allocated
            }
            let r = try await store.create(key, allocated, extraCompares: claim.compares, extraOps: claim.ops)
            if let rev = r.revision {
                allocated.setMeta("resourceVersion", .string(String(rev)))
                return allocated
            }
            if r.keyExists { throw Status.alreadyExists(strategy.groupResource, name: name) }
            // An allocation was taken between our read and our write: pick again.
            if attempt >= 10 { throw Status.internalError("failed to allocate for \(strategy.resource) \"\(name)\"") }
        }
    }

    /// Sets type metadata and namespace from the request, rejecting mismatches as kube does. `typeCheck`
    /// decodes the object as its Go-typed counterpart would be; a server-internal write (a binding)
    /// that changes a stored, already checked object only in fields it sets itself skips it.
    static func normalizeBody(_ strategy: ResourceStrategy, _ body: JSONValue, namespace: String,
                              typeCheck: Bool = true) throws(Status) -> JSONValue {
        guard body.objectValue != nil else {
            throw Status.badRequest("Object '\(strategy.info.kind)' is invalid: the body must be a JSON object")
        }
        var object = body
        if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != strategy.info.kind {
            throw Status.badRequest("the kind of the object (\(kind)) does not match the expected kind (\(strategy.info.kind))")
        }
        if let av = object["apiVersion"]?.stringValue, !av.isEmpty, av != strategy.info.groupVersion {
            throw Status.badRequest("the API version in the data (\(av)) does not match the expected API version (\(strategy.info.groupVersion))")
        }
        if let m = object["metadata"], m != .null, m.objectValue == nil {
            throw Status.badRequest("\(strategy.info.kind) in version \"\(strategy.info.version)\" cannot be handled as a \(strategy.info.kind): metadata must be an object")
        }
        object["kind"] = .string(strategy.info.kind)
        object["apiVersion"] = .string(strategy.info.groupVersion)
        if strategy.info.namespaced {
            if let ns = object.metaString("namespace"), !ns.isEmpty, ns != namespace {
                throw Status.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object.setMeta("namespace", .string(namespace))
        }
        if typeCheck, let why = TypedDecoding.check(kind: strategy.info.kind, object) {
            throw Status.badRequest("\(strategy.info.kind) in version \"\(strategy.info.version)\" cannot be handled as a \(strategy.info.kind): \(why)")
        }
        return object
    }

    static func checkValid(_ strategy: ResourceStrategy, _ object: JSONValue, old: JSONValue? = nil,
                           scope: WriteScope = .main) throws(Status) {
        let errs = ObjectValidation.validate(strategy, object, old: old, specImmutability: scope == .main)
        if !errs.isEmpty {
            throw Status.invalid(kind: strategy.info.kind, group: strategy.info.group,
                                 name: object.metaString("name") ?? "", errs)
        }
    }

    func prepareForCreate(_ strategy: ResourceStrategy, _ object: inout JSONValue) {
        object.setMeta("uid", .string(UUID().uuidString.lowercased()))
        object.setMeta("creationTimestamp", .string(Time.now().rfc3339))
        object.setMeta("deletionTimestamp", nil)
        object.setMeta("deletionGracePeriodSeconds", nil)
        object.setMeta("selfLink", nil)
        object.setMeta("generation", strategy.tracksGeneration ? .integer(1) : nil)
        switch strategy.resource {
        case "pods":
            object["status"] = .object(["phase": .string("Pending"), "qosClass": .string(Registry.qosClass(object))])
        case "deployments", "replicasets":
            object["status"] = .object([:])
        case "services":
            object["status"] = .object(["loadBalancer": .object([:])])
        default:
            break
        }
    }

    /// `GetPodQOS`: Guaranteed when every container sets equal cpu and memory requests and limits,
    /// BestEffort when none sets any, Burstable otherwise.
    static func qosClass(_ pod: JSONValue) -> String {
        let containers = (pod["spec"]?["containers"]?.arrayValue ?? []) + (pod["spec"]?["initContainers"]?.arrayValue ?? [])
        var any = false
        var guaranteed = true
        for c in containers {
            let req = c["resources"]?["requests"]?.objectValue ?? [:]
            let lim = c["resources"]?["limits"]?.objectValue ?? [:]
            if !req.isEmpty || !lim.isEmpty { any = true }
            for r in ["cpu", "memory"] {
                guard let l = lim[r] else { guaranteed = false; continue }
                if let q = req[r], q != l { guaranteed = false }
            }
        }
        if !any { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
