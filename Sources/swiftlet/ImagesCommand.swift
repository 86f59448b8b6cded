import ArgumentParser
import Glibc
import NodeAgent
import RuntimeCLI

/// `swiftlet images ...`: the node's image store (crictl images / ctr images).
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Pull, import and list the node's images.",
        subcommands: [Pull.self, List.self, Remove.self, Prune.self, Import.self]
    )
    @OptionGroup var options: ImagesOptions
}

struct ImagesOptions: ParsableArguments {
    @Option(name: .long, help: "The image store's directory.")
    var root: String = "/var/lib/swiftlet/images"

    func puller(insecure: [String] = [], credentials: RegistryCredentials = RegistryCredentials()) throws -> ImagePuller {
        let store: BlobStore
        do { store = try BlobStore(root: root) } catch {
            throw RuntimeFailure(message: "image store \(root): \(error)")
        }
        let client = RegistryClient(configuration: RegistryConfiguration(insecureRegistries: Set(insecure), credentials: credentials))
        return ImagePuller(store: store, client: client)
    }
}

extension ImagesCommand {
    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pull", abstract: "Pull an image from its registry.")
        @OptionGroup var options: ImagesOptions
        @Option(name: .customLong("insecure-registry"), help: "HOST:PORT reached over plain HTTP (localhost always is).")
        var insecureRegistries: [String] = []
        @Option(name: .long, help: "USER:PASSWORD for the image's registry (as crictl pull --creds).")
        var creds: String?
        @Option(name: .customLong("auth-file"), help: "A Docker config.json (or a pull secret's .dockerconfigjson) with registry credentials.")
        var authFile: String?
        @Argument(help: "The image reference, as Kubernetes takes it (busybox, host:port/repo:tag, repo@sha256:...).")
        var reference: String

        func run() throws {
            let ref: ImageReference
            do { ref = try ImageReference(reference) } catch { throw RuntimeFailure(message: "\(error)") }
            var credentials = RegistryCredentials()
            if let authFile {
                let bytes: [UInt8]
                do { bytes = try readWhole(authFile) } catch { throw RuntimeFailure(message: "read \(authFile): \(error)") }
                do { credentials = try RegistryCredentials(dockerConfigJSON: bytes) } catch {
                    throw RuntimeFailure(message: "\(authFile): \(error)")
                }
            }
            if let creds {
                guard let colon = creds.firstIndex(of: ":") else { throw RuntimeFailure(message: "--creds takes USER:PASSWORD") }
                credentials = credentials.merging(RegistryCredentials([ref.domain: RegistryCredential(
                    username: String(creds[..<colon]), password: String(creds[creds.index(after: colon)...]))]))
            }
            let puller = try options.puller(insecure: insecureRegistries, credentials: credentials)
            do {
                let image = try puller.pull(ref)
                print("\(image.reference) \(image.manifestDigest)")
            } catch {
                throw RuntimeFailure(message: "\(error)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the pulled images.")
        @OptionGroup var options: ImagesOptions

        func run() throws {
            print("REFERENCE".padding(60) + "DIGEST".padding(20) + "LAYERS")
            for image in try options.puller().records() {
                print(image.reference.padding(60) + String(image.manifestDigest.dropFirst(7).prefix(12)).padding(20) + "\(image.layerDigests.count)")
            }
        }
    }
}

extension ImagesCommand {
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Forget an image; `prune` frees its blobs and layers.")
        @OptionGroup var options: ImagesOptions
        @Argument var reference: String

        func run() throws {
            do { try options.puller().remove(try ImageReference(reference)) } catch let e as RuntimeFailure { throw e } catch {
                throw RuntimeFailure(message: "\(error)")
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "prune", abstract: "Delete every blob and layer no image uses.")
        @OptionGroup var options: ImagesOptions

        func run() throws {
            let result: ImagePuller.PruneResult
            do { result = try options.puller().prune() } catch let e as RuntimeFailure { throw e } catch {
                throw RuntimeFailure(message: "\(error)")
            }
            print("deleted \(result.blobs.count) blob(s) and \(result.layers.count) layer(s)")
        }
    }
}

extension ImagesCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import an image archive (OCI layout or docker save, .tar/.tar.gz/.tgz) or every archive in an air-gap directory.")
        @OptionGroup var options: ImagesOptions
        @Option(name: .long, help: "Name for images the archive leaves unnamed (a bare OCI ref.name becomes its tag).")
        var name: String?
        @Argument(help: "An archive file, or a directory of archives (already imported ones are skipped).")
        var path: String

        func run() throws {
            let importer = ImageImporter(puller: try options.puller())
            var st = stat()
            guard stat(path, &st) == 0 else { throw RuntimeFailure(message: "\(path): \(String(cString: strerror(errno)))") }
            if st.st_mode & S_IFMT != S_IFDIR {
                do {
                    for image in try importer.importArchive(path, name: name) { print("\(image.reference) \(image.manifestDigest)") }
                } catch { throw RuntimeFailure(message: "\(error)") }
                return
            }
            let results: [ArchiveImport]
            do { results = try importer.importDirectory(path) } catch { throw RuntimeFailure(message: "\(error)") }
            var failed = 0
            for result in results {
                switch result.outcome {
                case .imported(let images):
                    for image in images { print("\(image.reference) \(image.manifestDigest)") }
                case .skipped:
                    print("skipped \(result.file) (already imported)")
                case .failed(let error):
                    failed += 1
                    let line = Array("error: \(error)\n".utf8)
                    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                }
            }
            if failed > 0 { throw RuntimeFailure(message: "\(failed) of \(results.count) archive(s) failed to import") }
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
}

/// A whole file's bytes (small files: credentials).
func readWhole(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw Errno(errno) }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue }; throw Errno(errno) }
        if n == 0 { return out }
        out += buf[0..<n]
    }
}
