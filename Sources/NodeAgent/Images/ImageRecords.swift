import FoundationEssentials

extension ImagePuller {
    /// Every image record in the store (`images/<canonical reference>.json`; references with
    /// a registry host or a repository path make subdirectories), sorted by reference.
    public func records() -> [PulledImage] {
        var out: [PulledImage] = []
        func walk(_ dir: String) {
            for name in (try? FileSystem.entries(dir)) ?? [] {
                let path = dir + "/" + name
                if name.hasSuffix(".json"), let bytes = try? readFile(path),
                   let image = try? JSONDecoder().decode(PulledImage.self, from: Data(bytes)) {
                    out.append(image)
                } else if !name.hasSuffix(".tmp") && !name.contains(".json") {
                    walk(path)
                }
            }
        }
        walk(imagesDirectory)
        return out.sorted { $0.reference < $1.reference }
    }
}
