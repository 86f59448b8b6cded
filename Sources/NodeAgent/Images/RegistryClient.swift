import FoundationEssentials
import Glibc
import Synchronization

/// How the client reaches registries.
public struct RegistryConfiguration: Sendable {
    /// Hosts (`host:port`) spoken to over plain HTTP. `localhost` and `127.0.0.1` (any port)
    /// always are; every other registry is HTTPS with the system CAs (or `caPath`).
    public var insecureRegistries: Set<String> = []
    public var credentials = RegistryCredentials()
    /// A CA bundle file instead of the system's.
    public var caPath: String?
    /// Attempts per request on transient errors (connection refused/reset, cut-off body,
    /// timeouts, 5xx, 429), with exponential backoff from `retryDelayMs`.
    public var maxAttempts = 4
    public var retryDelayMs = 100
    public var connectTimeoutMs = 10_000
    /// A transfer under 1 byte/s for this long is abandoned (and retried).
    public var lowSpeedSeconds = 30

    public init(insecureRegistries: Set<String> = [], credentials: RegistryCredentials = RegistryCredentials(),
                caPath: String? = nil) {
        self.insecureRegistries = insecureRegistries
        self.credentials = credentials
        self.caPath = caPath
    }
}

/// An OCI distribution client over libcurl (loaded with dlopen on first use): manifests by tag
/// or digest, blobs streamed into a `BlobStore` with resume, retries, redirects and auth
/// (anonymous or basic-credential bearer tokens, or Basic). Synchronous: each call performs its
/// requests on the calling thread with its own curl handle, so threads may share a client.
public final class RegistryClient: Sendable {
    public let configuration: RegistryConfiguration
    /// Bearer tokens by `host|scope`, and hosts that asked for Basic auth.
    private let tokens = Mutex<[String: String]>([:])

    public init(configuration: RegistryConfiguration = RegistryConfiguration()) {
        self.configuration = configuration
    }

    // MARK: endpoints

    /// `https://host` (or `http://` for insecure and loopback registries); docker.io's API host.
    public func baseURL(for domain: String) -> String {
        let host = domain == ImageReference.defaultDomain ? "registry-1.docker.io" : domain
        let bare = host.hasPrefix("[") ? String(host[...(host.firstIndex(of: "]")!)])
                                       : String(host.split(separator: ":").first ?? "")
        let plain = configuration.insecureRegistries.contains(domain) || configuration.insecureRegistries.contains(bare)
            || bare == "localhost" || bare == "127.0.0.1" || bare == "[::1]"
        return (plain ? "http://" : "https://") + host
    }

    // MARK: manifests

    /// GETs the manifest or index `reference` names (its tag or digest), checks the bytes
    /// against the digest (pinned, or the registry's `Docker-Content-Digest`) and its type.
    public func manifest(_ reference: ImageReference, digest: Digest? = nil) throws(RegistryError) -> FetchedManifest {
        let ref = digest.map { $0.description } ?? reference.manifestReference
        let label = digest.map { reference.name + "@" + $0.description } ?? reference.description
        let response = try send(reference, label: label, path: "/manifests/" + ref, method: "GET",
                                accept: RegistryMediaType.manifests)
        try check(response, label: label)
        let actual = Digest.sha256(of: response.body)
        if let expected = digest ?? reference.digest, expected != actual {
            throw .digestMismatch(reference: label, expected: expected, actual: actual)
        }
        if let header = response.header("Docker-Content-Digest"), let announced = try? Digest(header),
           announced.algorithm == .sha256, announced != actual {
            throw .digestMismatch(reference: label, expected: announced, actual: actual)
        }
        let type = FetchedManifest.mediaType(contentType: response.header("Content-Type"), bytes: response.body)
        guard let known = type.known else { throw .unsupportedMediaType(reference: label, mediaType: type.seen) }
        return FetchedManifest(bytes: response.body, mediaType: known, digest: actual)
    }

    /// HEADs a manifest: its digest and media type without the body (nil digest if the
    /// registry does not send `Docker-Content-Digest`).
    public func resolve(_ reference: ImageReference) throws(RegistryError) -> (digest: Digest?, mediaType: String?, size: Int64?) {
        let response = try send(reference, label: reference.description, path: "/manifests/" + reference.manifestReference,
                                method: "HEAD", accept: RegistryMediaType.manifests)
        try check(response, label: reference.description)
        return (response.header("Docker-Content-Digest").flatMap { try? Digest($0) },
                response.header("Content-Type"), response.header("Content-Length").flatMap { Int64($0) })
    }

    // MARK: blobs

    /// Downloads blob `digest` of `reference`'s repository into `store`, verified by size and
    /// sha256 there. A partial left by an earlier cut-off download, or by a connection broken
    /// now, is resumed with `Range: bytes=<partial size>-`. `progress(done, total)` follows the
    /// bytes. Returns the blob's size; a blob already stored is not fetched.
    @discardableResult
    public func fetchBlob(_ reference: ImageReference, digest: Digest, size: Int64?, into store: BlobStore,
                          progress: ((Int64, Int64?) -> Void)? = nil) throws(RegistryError) -> Int64 {
        // The reference as pulled (with its tag) and the blob: an operator needs both.
        let label = reference.description + " (blob " + digest.description + ")"
        let writer: BlobWriter
        do {
            switch try store.beginIngest(digest, size: size) {
            case .present(let n):
                progress?(n, n)
                return n
            case .writer(let w): writer = w
            }
        } catch { throw .blobStore(reference: label, error) }
        defer { writer.close() }  // keeps the partial for a resume unless committed or aborted
        progress?(writer.offset, size)
        if size == nil || writer.offset < size! {
            let sink = BlobSink(writer: writer, progress: progress, total: size)
            let response = try send(reference, label: label, path: "/blobs/" + digest.description, method: "GET",
                                    accept: [], blob: sink)
            if let failure = sink.failure { throw .blobStore(reference: label, failure) }
            if response.status == 404 {
                // Nothing of it exists to resume: drop the empty partial.
                writer.abort()
                throw .notFound(reference: label)
            }
            try check(response, label: label)
        }
        do { return try writer.commit() } catch { throw .blobStore(reference: label, error) }
    }

    /// Feeds one attempt's body into the writer: a 206 continues at the writer's offset, a 200
    /// (the server ignored the range) skips what the writer already holds.
    final class BlobSink {
        let writer: BlobWriter
        let progress: ((Int64, Int64?) -> Void)?
        let total: Int64?
        var requestedFrom: Int64 = 0
        var received: Int64 = 0
        var failure: BlobStoreError?

        init(writer: BlobWriter, progress: ((Int64, Int64?) -> Void)?, total: Int64?) {
            self.writer = writer
            self.progress = progress
            self.total = total
        }

        func startAttempt() -> Int64 {
            requestedFrom = writer.offset
            received = 0
            return requestedFrom
        }

        func write(status: Int, bytes: UnsafeRawBufferPointer) -> Bool {
            var chunk = bytes
            if status == 200 && requestedFrom > 0 {
                // A whole body: drop the prefix we already have.
                let skip = Int(max(0, min(Int64(chunk.count), requestedFrom - received)))
                received += Int64(bytes.count)
                chunk = UnsafeRawBufferPointer(rebasing: chunk[skip...])
            }
            guard !chunk.isEmpty else { return true }
            do { try writer.write(chunk) } catch {
                failure = error
                return false
            }
            progress?(writer.offset, total)
            return true
        }
    }

    // MARK: requests

    private func check(_ response: RegistryHTTPResponse, label: String) throws(RegistryError) {
        switch response.status {
        case 200..<300: return
        case 404: throw .notFound(reference: label)
        case 401, 403: throw .unauthorized(reference: label, detail: RegistryClient.errorText(response))
        default: throw .http(status: response.status, reference: label, message: RegistryClient.errorText(response))
        }
    }

    /// The registry's `{"errors":[{"code","message"}]}` text, or the raw body's start.
    static func errorText(_ response: RegistryHTTPResponse) -> String {
        struct Body: Decodable { struct E: Decodable { var code: String?; var message: String? }; var errors: [E]? }
        if let body = try? JSONDecoder().decode(Body.self, from: Data(response.body)), let errors = body.errors, !errors.isEmpty {
            return errors.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
        }
        let text = String(decoding: response.body.prefix(200), as: UTF8.self)
        return text.isEmpty ? "HTTP \(response.status)" : "HTTP \(response.status): \(text)"
    }

    private func options(for domain: String) -> RegistryHTTPOptions {
        var o = RegistryHTTPOptions()
        o.caPath = configuration.caPath
        o.connectTimeoutMs = configuration.connectTimeoutMs
        o.lowSpeedSeconds = configuration.lowSpeedSeconds
        return o
    }

    private func sleepMs(_ ms: Int) {
        var ts = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
        var rest = timespec()
        while nanosleep(&ts, &rest) < 0 && errno == EINTR { ts = rest }
    }

    /// One registry request with retries, redirects and authentication. Returns the final
    /// response whatever its status (callers map 404 etc.); throws when no response came.
    func send(_ reference: ImageReference, label: String, path: String, method: String, accept: [String],
              blob: BlobSink? = nil) throws(RegistryError) -> RegistryHTTPResponse {
        let url = baseURL(for: reference.domain) + "/v2/" + reference.path + path
        let scope = "repository:" + reference.path + ":pull"
        let tokenKey = reference.domain + "|" + scope
        let credential = configuration.credentials.credential(for: reference.domain)
        var authorization: String? = tokens.withLock { $0[tokenKey] }
        var authTried = false
        var attempt = 0
        let opts = options(for: reference.domain)
        while true {
            attempt += 1
            var headers: [String] = []
            if !accept.isEmpty { headers.append("Accept: " + accept.joined(separator: ", ")) }
            if let authorization { headers.append("Authorization: " + authorization) }
            let resumeFrom = blob?.startAttempt() ?? 0
            let result = RegistryHTTP.perform(method: method, url: url, headers: headers, resumeFrom: resumeFrom,
                                              options: opts, sink: blob.map { b in { b.write(status: $0, bytes: $1) } })
            let response: RegistryHTTPResponse
            switch result {
            case .failure(let failure):
                if blob?.failure != nil {
                    // The store refused the bytes (overrun): not the network's fault.
                    return RegistryHTTPResponse(status: 0, headers: [], body: [])
                }
                if failure.isTransient && attempt < configuration.maxAttempts {
                    sleepMs(configuration.retryDelayMs << (attempt - 1))
                    continue
                }
                throw .unreachable(host: reference.domain, reference: label, message: failure.message)
            case .success(let r): response = r
            }
            if [500, 502, 503, 504, 429].contains(response.status) && attempt < configuration.maxAttempts {
                sleepMs(configuration.retryDelayMs << (attempt - 1))
                continue
            }
            if response.status == 401 && !authTried {
                authTried = true
                let challenges = response.headers("WWW-Authenticate").flatMap(RegistryChallenge.parse)
                if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
                    let token = try fetchToken(bearer, scope: scope, credential: credential, label: label, options: opts)
                    authorization = "Bearer " + token
                    tokens.withLock { $0[tokenKey] = authorization }
                    attempt = 0
                    continue
                }
                if challenges.contains(where: { $0.scheme == "basic" }) {
                    guard let credential else {
                        throw .unauthorized(reference: label, detail: "the registry wants a user name and password; none configured for \(reference.domain)")
                    }
                    authorization = credential.basicAuthorization
                    tokens.withLock { $0[tokenKey] = authorization }
                    attempt = 0
                    continue
                }
            }
            if response.status == 401 || response.status == 403 {
                let detail = RegistryClient.errorText(response)
                tokens.withLock { $0[tokenKey] = nil }
                throw .unauthorized(reference: label, detail: credential == nil ? detail + " (no credentials for \(reference.domain))" : detail)
            }
            return response
        }
    }

    /// Asks the challenge's realm for a token (`?service=…&scope=…`), with Basic credentials
    /// if we have some for the registry, anonymously otherwise.
    private func fetchToken(_ challenge: RegistryChallenge, scope: String, credential: RegistryCredential?,
                            label: String, options: RegistryHTTPOptions) throws(RegistryError) -> String {
        guard let realm = challenge.parameters["realm"], realm.hasPrefix("https://") || realm.hasPrefix("http://") else {
            throw .authentication(reference: label, detail: "bearer challenge without an http(s) realm")
        }
        var query: [String] = []
        if let service = challenge.parameters["service"] { query.append("service=" + registryPercentEncode(service)) }
        query.append("scope=" + registryPercentEncode(challenge.parameters["scope"] ?? scope))
        let url = realm + (realm.contains("?") ? "&" : "?") + query.joined(separator: "&")
        var headers: [String] = []
        if let credential { headers.append("Authorization: " + credential.basicAuthorization) }
        var attempt = 0
        while true {
            attempt += 1
            switch RegistryHTTP.perform(method: "GET", url: url, headers: headers, options: options) {
            case .failure(let f):
                if f.isTransient && attempt < configuration.maxAttempts {
                    sleepMs(configuration.retryDelayMs << (attempt - 1)); continue
                }
                throw .authentication(reference: label, detail: "token endpoint \(realm): \(f.message)")
            case .success(let r):
                if r.status >= 500 && attempt < configuration.maxAttempts {
                    sleepMs(configuration.retryDelayMs << (attempt - 1)); continue
                }
                if r.status == 401 || r.status == 403 {
                    throw .unauthorized(reference: label, detail: "token endpoint \(realm) refused: \(RegistryClient.errorText(r))")
                }
                guard r.status == 200 else {
                    throw .authentication(reference: label, detail: "token endpoint \(realm): \(RegistryClient.errorText(r))")
                }
                struct TokenBody: Decodable { var token: String?; var access_token: String? }
                guard let body = try? JSONDecoder().decode(TokenBody.self, from: Data(r.body)),
                      let token = body.token ?? body.access_token, !token.isEmpty else {
                    throw .authentication(reference: label, detail: "token endpoint \(realm) returned no token")
                }
                return token
            }
        }
    }
}
