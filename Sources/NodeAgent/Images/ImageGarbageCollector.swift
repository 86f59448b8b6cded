import Glibc

/// What the node keeps for its images, and what it can let go: `remove` forgets one image
/// record; `prune` deletes every blob and unpacked layer that no remaining record references.
/// Partial downloads (`ingest/`) are left alone: they belong to pulls in progress.
extension ImagePuller {
    public struct PruneResult: Sendable, Equatable {
        public var blobs: [String]
        public var layers: [String]
    }

    /// Forgets an image. Its blobs and layers stay until `prune`, as with crictl rmi + GC.
    public func remove(_ reference: ImageReference) throws(RegistryError) {
        let path = recordPath(reference)
        if unlink(path) < 0 {
            if errno == ENOENT { throw .notFound(reference: reference.description) }
            throw .blobStore(reference: reference.description, .system(operation: "remove", path: path, errno: Errno(errno)))
        }
    }

    @discardableResult
    public func prune() throws(RegistryError) -> PruneResult {
        var keptBlobs = Set<String>(), keptLayers = Set<String>()
        for image in records() {
            keptBlobs.formUnion([image.digest, image.manifestDigest, image.config] + image.layerDigests)
            keptLayers.formUnion(image.diffIDs)
        }
        var result = PruneResult(blobs: [], layers: [])
        let blobs: [Digest]
        do { blobs = try store.list() } catch { throw .blobStore(reference: "prune", error) }
        for blob in blobs where !keptBlobs.contains(blob.description) {
            do { try store.delete(blob) } catch { throw .blobStore(reference: "prune", error) }
            result.blobs.append(blob.description)
        }
        for hex in (try? FileSystem.entries(layersDirectory)) ?? [] where !keptLayers.contains("sha256:" + hex) {
            // Only finished layers: an unpack in progress works under a temporary name.
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else { continue }
            do { try FileSystem.removeTree(layersDirectory + "/" + hex) } catch {
                throw .blobStore(reference: "prune", .system(operation: "remove layer", path: layersDirectory + "/" + hex, errno: error))
            }
            result.layers.append("sha256:" + hex)
        }
        return result
    }
}
