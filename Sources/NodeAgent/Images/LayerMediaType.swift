/// The layer media types the unpacker reads, and how each is compressed.
public enum LayerCompression: Sendable, Equatable {
    case none, gzip

    public init(mediaType: String) throws(LayerError) {
        switch mediaType {
        case "application/vnd.oci.image.layer.v1.tar",
             "application/vnd.oci.image.layer.nondistributable.v1.tar",
             "application/vnd.docker.image.rootfs.diff.tar":
            self = .none
        case "application/vnd.oci.image.layer.v1.tar+gzip",
             "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
             "application/vnd.docker.image.rootfs.diff.tar.gzip",
             "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip":
            self = .gzip
        default:
            // Includes +zstd: not read yet.
            throw .unsupportedMediaType(mediaType)
        }
    }
}
