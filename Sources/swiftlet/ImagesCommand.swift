import ArgumentParser
import Glibc
import NodeAgent

/// `swiftlet images ...`: the node's image store (crictl images / ctr images).
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Pull and list the node's images.",
        subcommands: [Pull.self, List.self, Remove.self, Prune.self]
    )
    @OptionGroup var options: ImagesOptions
}

struct ImagesOptions: ParsableArguments {
    @Option(name: .long, help: "The image store's directory.")
    var root: String = "/var/lib/swiftlet/images"

    func puller(insecure: [String] = []) throws -> ImagePuller {
        let store: BlobStore
        do { store = try BlobStore(root: root) } catch {
            throw RuntimeFailure(message: "image store \(root): \(error)")
        }
        let client = RegistryClient(configuration: RegistryConfiguration(insecureRegistries: Set(insecure)))
        return ImagePuller(store: store, client: client)
    }
}

extension ImagesCommand {
    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pull", abstract: "Pull an image from its registry.")
        @OptionGroup var options: ImagesOptions
        @Option(name: .customLong("insecure-registry"), help: "HOST:PORT reached over plain HTTP (localhost always is).")
        var insecureRegistries: [String] = []
        @Argument(help: "The image reference, as Kubernetes takes it (busybox, host:port/repo:tag, repo@sha256:...).")
        var reference: String

        func run() throws {
            let ref: ImageReference
            do { ref = try ImageReference(reference) } catch { throw RuntimeFailure(message: "\(error)") }
            let puller = try options.puller(insecure: insecureRegistries)
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

extension String {
    func padding(_ n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
}
