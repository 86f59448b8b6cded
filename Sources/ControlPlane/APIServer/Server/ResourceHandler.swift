import KubeAPI
import Store

/// Resource requests: route by the catalog, check scope and subresource, decode the body, run the verb.
extension KubeAPIServer {
    static let maxBodyBytes = 3 * 1024 * 1024

    func handleResource(_ request: APIRequest, _ info: RequestInfo) async throws -> APIResponse {
        guard let strategy = ResourceStrategy.lookup(group: info.apiGroup, version: info.apiVersion, resource: info.resource) else {
            throw Responses.notFound
        }
        // Namespaced resources live under /namespaces/{ns}/ (lists and watches may span all namespaces);
        // cluster-scoped ones never do.
        let namespace = strategy.info.namespaced ? info.namespace : ""
        if !strategy.info.namespaced && !info.namespace.isEmpty && strategy.resource != "namespaces" { throw Responses.notFound }
        if strategy.info.namespaced && info.namespace.isEmpty && !["list", "watch"].contains(info.verb) {
            throw Responses.notFound
        }
        if !info.subresource.isEmpty {
            return try await handleSubresource(request, info, strategy, namespace: namespace)
        }
        guard strategy.info.verbs.contains(info.verb) else {
            throw Status.methodNotAllowed(strategy.groupResource, action: info.verb)
        }
        switch info.verb {
        case "get":
            let rv = request.queryValue("resourceVersion")
            if let rv, !rv.isEmpty, Int64(rv) == nil {
                throw Status.badRequest("invalid resource version \"\(rv)\"")
            }
            // Any resourceVersion asks for "not older than": the current object always qualifies.
            let found = try await registry.get(strategy, namespace: namespace, name: info.name)
            if TableOutput.wanted(request.header("accept")) {
                return TableOutput.response(TableOutput.table(strategy, [found.object], listMetadata: nil, include: request.queryValue("includeObject")))
            }
            return Responses.json(200, found.object)
        case "list":
            let options = try ListOptions.parse(request)
            try checkFieldSelector(strategy, options)
            let list: JSONValue
            if options.resourceVersion == "0", options.continueToken == nil,
               let cached = caches[strategy.resource]?.list(namespace: namespace, options: options) {
                list = .object(["kind": .string(strategy.info.kind + "List"), "apiVersion": .string(strategy.info.groupVersion),
                                "metadata": .object(["resourceVersion": .string(String(cached.revision))]),
                                "items": .array(cached.items)])
            } else {
                list = try await registry.list(strategy, namespace: namespace, options: options)
            }
            if TableOutput.wanted(request.header("accept")) {
                return TableOutput.response(TableOutput.table(strategy, list["items"]?.arrayValue ?? [], listMetadata: list["metadata"],
                                                              include: request.queryValue("includeObject")))
            }
            return Responses.json(200, list)
        case "watch":
            var options = try ListOptions.parse(request)
            try checkFieldSelector(strategy, options)
            if !info.name.isEmpty {
                options.fieldSelector = FieldSelector(options.fieldSelector.terms + [FieldSelector.Term(field: "metadata.name", value: info.name)])
            }
            let asTable = TableOutput.wanted(request.header("accept")) ? request.queryValue("includeObject") ?? "Metadata" : nil
            let stream = await watches.start(WatchRequest(strategy: strategy, namespace: namespace, options: options, tableInclude: asTable),
                                       tracker: tracker)
            return APIResponse(status: 200, headers: [("content-type", "application/json"), ("transfer-encoding", "chunked")],
                               body: .stream(stream))
        case "create":
            let dryRun = try parseDryRun(request)
            let body = try decodeBody(request)
            if strategy.info.namespaced { try await checkNamespaceAcceptsContent(strategy, namespace, body.metaString("name") ?? "") }
            if strategy.resource == "bindings" {
                return try await bind(strategy, namespace: namespace, podName: body.metaString("name") ?? "", body: body)
            }
            let warnings = try KubeAPIServer.checkFieldValidation(request, strategy, body)
            let created = try await registry.create(strategy, namespace: namespace, body: body, dryRun: dryRun)
            if strategy.resource == "namespaces" && !dryRun, let name = created.metaString("name") {
                await ensureDefaultServiceAccount(namespace: name)
            }
            return Responses.json(201, created, warnings: warnings)
        case "update":
            let dryRun = try parseDryRun(request)
            let body = try decodeBody(request)
            let warnings = try KubeAPIServer.checkFieldValidation(request, strategy, body)
            let result = try await registry.update(strategy, namespace: namespace, name: info.name, scope: .main,
                                                   dryRun: dryRun, createIfMissing: body) { _ in body }
            return Responses.json(result.created ? 201 : 200, result.object, warnings: warnings)
        case "patch":
            var warnings: [String] = []
            let dryRun = try parseDryRun(request)
            let (type, patch) = try decodePatch(request)
            let result = try await registry.update(strategy, namespace: namespace, name: info.name, scope: .main,
                                                   dryRun: dryRun) { current in
                let patched = try KubeAPIServer.applyPatch(type, patch, to: current, group: strategy.info.group, kind: strategy.info.kind)
                warnings = try KubeAPIServer.checkFieldValidation(request, strategy, patched)
                return patched
            }
            return Responses.json(200, result.object, warnings: warnings)
        case "delete":
            let options = try DeleteOptions.parse(request)
            let outcome = try await registry.delete(strategy, namespace: namespace, name: info.name, options: options)
            return deleteResponse(strategy, outcome, dryRun: options.isDryRun)
        case "deletecollection":
            let listOptions = try ListOptions.parse(request)
            try checkFieldSelector(strategy, listOptions)
            let options = try DeleteOptions.parse(request)
            let result = try await registry.deleteCollection(strategy, namespace: namespace, listOptions: listOptions, options: options)
            return Responses.json(200, result)
        default:
            throw Status.methodNotAllowed(strategy.groupResource, action: request.method)
        }
    }

    /// `?fieldValidation=`: fields the kind's schema does not know are a 400 (Strict), a `Warning`
    /// header (Warn, the default) or nothing (Ignore).
    static func checkFieldValidation(_ request: APIRequest, _ strategy: ResourceStrategy, _ object: JSONValue) throws -> [String] {
        guard let mode = FieldValidation(parameter: request.queryValue("fieldValidation")) else {
            throw Status.badRequest("fieldValidation: Unsupported value: \"\(request.queryValue("fieldValidation") ?? "")\": supported values: \"Ignore\", \"Strict\", \"Warn\"")
        }
        if mode == .ignore { return [] }
        let unknown = UnknownFields.unknownFields(in: object, kind: strategy.info.kind, group: strategy.info.group,
                                                  version: strategy.info.version)
        if unknown.isEmpty { return [] }
        if mode == .strict { throw UnknownFields.strictError(kind: strategy.info.kind, version: strategy.info.version, paths: unknown) }
        return UnknownFields.messages(unknown)
    }

    func checkFieldSelector(_ strategy: ResourceStrategy, _ options: ListOptions) throws(Status) {
        do {
            try options.fieldSelector.validate(supported: strategy.fieldSet(.object([:])).keys)
        } catch {
            throw Status.badRequest(error.message)
        }
    }

    func deleteResponse(_ strategy: ResourceStrategy, _ outcome: DeleteOutcome, dryRun: Bool) -> APIResponse {
        switch outcome {
        case .pending(let object):
            if strategy.resource == "namespaces" && !dryRun, let name = object.metaString("name") {
                spawn { [self] in await self.finalizeNamespace(name) }
            }
            return Responses.json(200, object)
        case .deleted(let object):
            if strategy.returnsDeletedObject { return Responses.json(200, object) }
            var status = Status.success()
            status.details = StatusDetails(name: object.metaString("name"), group: strategy.info.group.isEmpty ? nil : strategy.info.group,
                                           kind: strategy.resource, uid: object.metaString("uid"))
            return Responses.encoded(200, status)
        }
    }

    // MARK: bodies

    func decodeBody(_ request: APIRequest) throws(Status) -> JSONValue {
        if request.body.count > KubeAPIServer.maxBodyBytes { throw Status.requestEntityTooLarge("limit is 3145728") }
        let ct = request.header("content-type").map { $0.split(separator: ";").first?.trimmingSpaces().lowercased() ?? "" } ?? ""
        if ct == "application/vnd.kubernetes.protobuf" {
            do { return try KubeProtobuf.decode(request.body) } catch {
                throw Status.badRequest("couldn't decode protobuf body: \(error)")
            }
        }
        guard ct.isEmpty || ct == "application/json" || ct == "*/*" else {
            throw Status.unsupportedMediaType(accepted: ["application/json", "application/vnd.kubernetes.protobuf"])
        }
        return try parseJSON(request.body)
    }

    func parseJSON(_ bytes: [UInt8]) throws(Status) -> JSONValue {
        guard !bytes.isEmpty else { throw Status.badRequest("the body of the request was empty") }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Status.badRequest("couldn't get version/kind; json parse error: invalid UTF-8 in request body")
        }
        if JSONDepth.exceeds(bytes, limit: 500) {
            throw Status.badRequest("couldn't get version/kind; json parse error: exceeded max depth")
        }
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw Status.badRequest("couldn't get version/kind; json parse error: \(error)")
        }
    }

    func decodePatch(_ request: APIRequest) throws(Status) -> (PatchType, JSONValue) {
        guard let type = PatchType.from(contentType: request.header("content-type")) else {
            throw Status.unsupportedMediaType(accepted: [PatchType.json.rawValue, PatchType.merge.rawValue,
                                                         PatchType.strategic.rawValue, PatchType.apply.rawValue])
        }
        if type == .apply {
            throw Status.unsupportedMediaType(accepted: [PatchType.json.rawValue, PatchType.merge.rawValue,
                                                         PatchType.strategic.rawValue])
        }
        if request.body.count > KubeAPIServer.maxBodyBytes { throw Status.requestEntityTooLarge("limit is 3145728") }
        return (type, try parseJSON(request.body))
    }

    /// Applies a patch to the current object. A resourceVersion the patch leaves as it was is no
    /// precondition (so races retry); one the patch sets is.
    static func applyPatch(_ type: PatchType, _ patch: JSONValue, to current: JSONValue, group: String, kind: String) throws -> JSONValue {
        var patched = try applyPatchBody(type, patch, to: current, group: group, kind: kind)
        if patched.objectValue != nil, patched.meta("resourceVersion") == current.meta("resourceVersion") {
            patched.setMeta("resourceVersion", nil)
        }
        return patched
    }

    static func applyPatchBody(_ type: PatchType, _ patch: JSONValue, to current: JSONValue, group: String, kind: String) throws -> JSONValue {
        switch type {
        case .json:
            return try JSONPatch.apply(patch, to: current)
        case .merge:
            return try JSONMergePatch.apply(patch, to: current)
        case .strategic:
            return try StrategicMergePatch.apply(patch: patch, to: current, schema: PatchStrategies.schema(group: group, kind: kind))
        case .apply:
            throw Status.unsupportedMediaType()
        }
    }

    // MARK: namespaces

    /// NamespaceLifecycle admission: content goes only into namespaces that exist and are not terminating.
    func checkNamespaceAcceptsContent(_ strategy: ResourceStrategy, _ namespace: String, _ name: String) async throws {
        let key = StorageKeys.objectKey("namespaces", namespace: "", name: namespace)
        // As kube's NamespaceLifecycle reads its informer's lister: the watch cache's copy, and a live
        // read only when the cache lacks it (a namespace created a moment ago, or the cache not ready).
        // A store read per create was a second round through the store's loop for every write.
        let cached = caches["namespaces"]?.object(at: key).flatMap { $0 }.flatMap { try? ObjectStore.decode($0) }
        let found: StoredObject?
        if let cached { found = cached } else { found = try await registry.store.get(key) }
        guard let ns = found else {
            throw Status.notFound(GroupResource(resource: "namespaces"), name: namespace)
        }
        if ns.object.meta("deletionTimestamp") != nil || ns.object["status"]?["phase"]?.stringValue == "Terminating" {
            var s = Status.forbidden(strategy.groupResource, name: name,
                                     "unable to create new content in namespace \(namespace) because it is being terminated")
            s.details?.causes = [StatusCause(reason: "NamespaceTerminating",
                                             message: "namespace \(namespace) is being terminated", field: "metadata.namespace")]
            throw s
        }
    }

    func ensureDefaultServiceAccount(namespace: String) async {
        guard let sa = ResourceStrategy.lookup(group: "", version: "v1", resource: "serviceaccounts") else { return }
        let body = JSONValue.object(["metadata": .object(["name": .string("default")])])
        _ = try? await registry.create(sa, namespace: namespace, body: body, dryRun: false)
    }
}

/// A quick scan for nesting depth before handing bytes to the decoder (which recurses).
enum JSONDepth {
    static func exceeds(_ bytes: [UInt8], limit: Int) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > limit { return true }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return false
    }
}
