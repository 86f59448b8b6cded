import APIServer
import Dispatch
import Glibc
import KubeAPI
import Logging
import NIOPosix
import Store
import Synchronization

/// `swiftlet server`: the store (embedded member or external etcd), the Kubernetes API, the HTTPS
/// listener with the cluster PKI, the admin kubeconfig; runs until SIGTERM or SIGINT, then stops in
/// order: listener and streams first, then the API, then the store.
public enum ServerRunner {
    /// How long requests in flight may take to finish once stopping.
    static let drainSeconds = 10

    public static func run(_ config: ServerConfig, logger: Logger = Logger(label: "swiftlet.server")) async throws(ServerError) {
        let stopRequested = StopSignals.install()
        let started = try await start(config, logger: logger)
        await stopRequested.wait()
        logger.info("stopping")
        await started.stop(logger: logger)
    }

    /// Runs `run` from synchronous code (the CLI), blocking the calling thread until it returns.
    public static func runBlocking(_ config: ServerConfig) throws(ServerError) {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        // Detached: the caller may be on the main actor (ArgumentParser's run), which this blocks.
        Task.detached {
            do throws(ServerError) { try await run(config) } catch { outcome.set(error) }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }

    /// What `start` leaves running.
    struct Started: Sendable {
        var https: HTTPSServer
        var serving: Task<Void, Never>
        var api: KubeAPIServer
        var store: StoreBackend
        var loops: ControlLoops?

        func stop(logger: Logger) async {
            await loops?.stop()  // first: they would only retry against a stopping API
            https.beginShutdown()
            api.stop()  // ends every watch, so their responses end cleanly
            let drained = await withTaskGroup(of: Bool.self) { group -> Bool in
                group.addTask { await serving.value; return true }
                group.addTask {
                    try? await Task.sleep(for: .seconds(ServerRunner.drainSeconds))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if !drained {
                logger.warning("requests still running after \(ServerRunner.drainSeconds)s; closing them")
                serving.cancel()
                await serving.value
            }
            await store.stop()
        }
    }

    static func start(_ config: ServerConfig, logger: Logger) async throws(ServerError) -> Started {
        do { try PKIFiles.makeDirectory(config.dataDirectory) } catch { throw .dataDirectory("\(error)") }
        chmod(config.dataDirectory, 0o700)

        var tokens = StaticTokens()
        if let file = config.tokenAuthFile {
            do { tokens = try StaticTokens(csv: try PKIFiles.read(file)) } catch { throw .tokenFile(file, "\(error)") }
        }

        let pki: ClusterPKI
        do {
            pki = try ClusterPKI.loadOrCreate(
                directory: config.pkiDirectory,
                names: ClusterPKI.servingNames(bindAddress: config.bindAddress, hostName: hostName(),
                                               firstServiceIP: config.serviceClusterIPRange.firstServiceIP))
        } catch {
            throw .pki("\(error)")
        }

        let store: StoreBackend
        do { store = try await StoreBackend.open(config, logger: logger) } catch { throw .store("\(error)") }

        // The listener is bound before the API starts so that `--secure-port 0` resolves to the port the
        // `kubernetes` Service names; connections made meanwhile wait in the accept queue.
        let https: HTTPSServer
        do {
            https = try await HTTPSServer.bind(
                host: config.bindAddress, port: config.securePort,
                tls: .init(certificateChainPEM: pki.serving.certificatePEM, privateKeyPEM: pki.serving.keyPEM,
                           clientCAPEM: pki.ca.certificatePEM),
                maxBodyBytes: config.maxRequestBodyBytes, group: MultiThreadedEventLoopGroup.singleton,
                logger: Logger(label: "swiftlet.https"))
        } catch {
            await store.stop()
            throw .listen("\(error)")
        }
        var advertised = config
        advertised.securePort = https.port

        let api = KubeAPIServer(
            store: store.client,
            config: APIServerConfig(serviceCIDR: config.serviceClusterIPRange.description,
                                    nodePortRange: config.serviceNodePortRange,
                                    advertiseAddress: config.advertisedHost, securePort: advertised.securePort),
            logger: Logger(label: "swiftlet.apiserver"))
        do {
            try await startAPI(api, logger: logger)
        } catch {
            https.beginShutdown()
            await store.stop()
            throw .api("\(error)")
        }

        let kubeconfig = Kubeconfig.render(server: advertised.serverURL, caPEM: pki.ca.certificatePEM,
                                           clientCertificatePEM: pki.admin.certificatePEM, clientKeyPEM: pki.admin.keyPEM)
        do { try PKIFiles.write(path: config.kubeconfigPath, contents: kubeconfig, mode: 0o600) } catch {
            https.beginShutdown()
            api.stop()
            await store.stop()
            throw .kubeconfig("\(error)")
        }

        let pipeline = RequestPipeline(handler: api, tokens: tokens)
        let serving = Task { await https.run(pipeline) }
        var loops: ControlLoops?
        if config.runControlLoops {
            do {
                loops = try ControlLoops.start(serverURL: advertised.serverURL, caPEM: pki.ca.certificatePEM,
                                               clientCertificatePEM: pki.admin.certificatePEM,
                                               clientKeyPEM: pki.admin.keyPEM,
                                               identity: hostName() + "_" + String(getpid()),
                                               nodeMonitorGracePeriod: config.nodeMonitorGracePeriod, logger: logger)
            } catch {
                https.beginShutdown()
                api.stop()
                await store.stop()
                throw .controlLoops("\(error)")
            }
        }
        logger.info("serving on \(advertised.serverURL)")
        return Started(https: https, serving: serving, api: api, store: store, loops: loops)
    }

    /// The store may still be electing its leader right after start; bootstrap retries briefly on
    /// store errors.
    private static func startAPI(_ api: KubeAPIServer, logger: Logger) async throws {
        var attempt = 0
        while true {
            do {
                try await api.start()
                return
            } catch let status as Status where (400..<500).contains(status.code ?? 0) {
                throw status  // the API refused; asking again will not change its mind
            } catch {
                attempt += 1
                if attempt >= 50 { throw error }
                logger.debug("API bootstrap retry", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

public enum ServerError: Error, CustomStringConvertible {
    case dataDirectory(String)
    case tokenFile(String, String)
    case pki(String)
    case store(String)
    case api(String)
    case listen(String)
    case kubeconfig(String)
    case controlLoops(String)

    public var description: String {
        switch self {
        case .dataDirectory(let why): "data directory: \(why)"
        case .tokenFile(let file, let why): "token auth file \(file): \(why)"
        case .pki(let why): "cluster PKI: \(why)"
        case .store(let why): "store: \(why)"
        case .api(let why): "API server start: \(why)"
        case .listen(let why): "HTTPS listener: \(why)"
        case .kubeconfig(let why): "admin kubeconfig: \(why)"
        case .controlLoops(let why): "scheduler and controllers: \(why)"
        }
    }
}

/// The first error of a blocking run, handed from the task to the waiting thread.
private final class Outcome: Sendable {
    private let state = Mutex<ServerError?>(nil)
    var error: ServerError? { state.withLock { $0 } }
    func set(_ error: ServerError) { state.withLock { $0 = error } }
}
