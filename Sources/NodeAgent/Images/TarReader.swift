import FoundationEssentials

/// One entry of a tar archive, with PAX and GNU long-name records already folded in.
public struct TarEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file, hardLink, symlink, characterDevice, blockDevice, directory, fifo
    }

    public var kind: Kind
    /// The name as archived (not yet made safe: see `LayerPath`).
    public var path: String
    /// Symlink target, or the archived name a hard link refers to.
    public var linkTarget: String
    /// Permission bits with setuid/setgid/sticky (0o7777).
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    /// Content bytes (files only; 0 for every other kind).
    public var size: Int64
    public var mtimeSeconds: Int64
    public var mtimeNanoseconds: Int
    public var deviceMajor: UInt32
    public var deviceMinor: UInt32
    /// Extended attributes from PAX `SCHILY.xattr.<name>` records.
    public var xattrs: [String: [UInt8]]
}

/// Reads tar archives (ustar, GNU and PAX) from a `ByteSource`, one 512-byte block at a time,
/// and hashes every byte it pulls: `diffID()` after the end is the sha256 of the uncompressed
/// stream, which is what an image config's `rootfs.diff_ids` lists.
public final class TarReader {
    public static let blockSize = 512
    /// Largest PAX or GNU long-name payload accepted, so a hostile header cannot ask for gigabytes.
    static let metadataLimit = 1 << 20

    private let source: ByteSource
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0, end = 0
    private var sourceEnded = false
    private var hasher = SHA256()
    /// Content bytes of the current entry not yet read, then its padding to the block size.
    private var remaining: Int64 = 0
    private var padding = 0
    private var finished = false
    private var entryCount = 0

    public init(_ source: ByteSource) {
        self.source = source
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * 1024, alignment: 16)
    }

    deinit { buffer.deallocate() }

    // MARK: entries

    /// The next entry, or nil after the end-of-archive marker (or a clean end of stream).
    public func next() throws(LayerError) -> TarEntry? {
        if finished { return nil }
        try skipRest()
        var pax: [String: [UInt8]] = [:]
        var longName: String?
        var longLink: String?
        while true {
            guard let header = try readBlock() else {
                if pax.isEmpty && longName == nil && longLink == nil { finished = true; return nil }
                throw .malformedArchive("archive ends after an extended header")
            }
            if header.allSatisfy({ $0 == 0 }) {
                // End of archive: a second zero block should follow; tolerate its absence.
                _ = try readBlock()
                finished = true
                return nil
            }
            entryCount += 1
            try verifyChecksum(header)
            let type = header[156]
            let size = try number(header, 124, 12, "size")
            guard size >= 0 else { throw .malformedArchive("negative size in entry #\(entryCount)") }
            switch type {
            case UInt8(ascii: "x"):
                for (k, v) in try parsePAX(try readMetadata(size)) { pax[k] = v }
                continue
            case UInt8(ascii: "g"):
                _ = try readMetadata(size)  // global PAX records: nothing we apply
                continue
            case UInt8(ascii: "L"):
                longName = cString(try readMetadata(size)[...])
                continue
            case UInt8(ascii: "K"):
                longLink = cString(try readMetadata(size)[...])
                continue
            default:
                break
            }
            var entry = try parseHeader(header, type: type, size: size)
            if let longName { entry.path = longName }
            if let longLink { entry.linkTarget = longLink }
            try applyPAX(pax, to: &entry)
            // Only regular files carry content. For every other type the size field is ignored
            // and no data follows (as Go's archive/tar reads them: header-only types).
            // (A V7 directory, type '0' with a trailing slash, still has its data skipped.)
            let headerOnly = (UInt8(ascii: "1")...UInt8(ascii: "6")).contains(type)
            let dataSize = headerOnly ? 0 : entry.size
            if entry.kind != .file { entry.size = 0 }
            remaining = dataSize
            padding = Int((Int64(TarReader.blockSize) - dataSize % Int64(TarReader.blockSize)) % Int64(TarReader.blockSize))
            if entry.kind != .file { try skipRest() }
            return entry
        }
    }

    /// Reads content of the current entry: returns bytes copied into `out`, 0 at its end.
    public func readContent(into out: UnsafeMutableRawBufferPointer) throws(LayerError) -> Int {
        guard remaining > 0, out.count > 0 else { return 0 }
        let want = Int(min(Int64(out.count), remaining))
        let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: out[0..<want]))
        if n == 0 { throw .malformedArchive("archive truncated inside an entry's content") }
        remaining -= Int64(n)
        return n
    }

    /// After the archive ended: reads whatever follows (padding) and returns the sha256 of the
    /// whole uncompressed stream.
    public func diffID() throws(LayerError) -> Digest {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        while try read(into: scratch) > 0 {}
        return hasher.finalize()
    }

    private func skipRest() throws(LayerError) {
        var toSkip = remaining + Int64(padding)
        remaining = 0
        padding = 0
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        while toSkip > 0 {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<Int(min(Int64(scratch.count), toSkip))]))
            if n == 0 { throw .malformedArchive("archive truncated inside an entry") }
            toSkip -= Int64(n)
        }
    }

    // MARK: header fields

    private func parseHeader(_ h: [UInt8], type: UInt8, size: Int64) throws(LayerError) -> TarEntry {
        let magic = h[257..<263]
        let isUstar = magic.elementsEqual("ustar\0".utf8)
        var name = cString(h[0..<100])
        if isUstar {
            // POSIX ustar splits long names into prefix/name. (GNU keeps other fields there.)
            let prefix = cString(h[345..<500])
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        let kind: TarEntry.Kind
        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
            kind = name.hasSuffix("/") ? .directory : .file  // V7 archives mark directories by '/'
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        default:
            let shown = type >= 0x20 && type < 0x7f ? String(UnicodeScalar(type)) : "\\(\(type))"
            throw .unsupportedEntry(entry: name, reason: "tar entry type '\(shown)'")
        }
        return TarEntry(
            kind: kind, path: name, linkTarget: cString(h[157..<257]),
            mode: UInt32(truncatingIfNeeded: try number(h, 100, 8, "mode")) & 0o7777,
            uid: Int(try number(h, 108, 8, "uid")), gid: Int(try number(h, 116, 8, "gid")),
            size: size, mtimeSeconds: try number(h, 136, 12, "mtime"), mtimeNanoseconds: 0,
            deviceMajor: UInt32(truncatingIfNeeded: try number(h, 329, 8, "devmajor")),
            deviceMinor: UInt32(truncatingIfNeeded: try number(h, 337, 8, "devminor")),
            xattrs: [:])
    }

    /// A numeric field: octal digits (NUL/space padded), or GNU base-256 when the top bit is set.
    private func number(_ h: [UInt8], _ offset: Int, _ length: Int, _ field: String) throws(LayerError) -> Int64 {
        let f = h[offset..<(offset + length)]
        if let first = f.first, first & 0x80 != 0 {
            // Base-256, big-endian, after the marker bit; 0xff (negative) is refused.
            guard first & 0x40 == 0 else { throw .malformedArchive("negative \(field) in entry #\(entryCount)") }
            var v = Int64(first & 0x3f)
            for b in f.dropFirst() {
                guard v <= Int64.max >> 8 else { throw .malformedArchive("\(field) out of range in entry #\(entryCount)") }
                v = v << 8 | Int64(b)
            }
            return v
        }
        var v: Int64 = 0
        var seenDigit = false
        for b in f {
            if b == 0 || (b == 0x20 && seenDigit) { break }
            if b == 0x20 { continue }
            guard b >= 0x30 && b <= 0x37 else {
                throw .malformedArchive("bad \(field) field in entry #\(entryCount)")
            }
            guard v < Int64.max >> 3 else { throw .malformedArchive("\(field) out of range in entry #\(entryCount)") }
            v = v << 3 | Int64(b - 0x30)
            seenDigit = true
        }
        return v
    }

    private func verifyChecksum(_ h: [UInt8]) throws(LayerError) {
        let stored = try number(h, 148, 8, "checksum")
        var unsigned: Int64 = 0, signed: Int64 = 0
        for (i, b) in h.enumerated() {
            let v: UInt8 = (148..<156).contains(i) ? 0x20 : b
            unsigned += Int64(v)
            signed += Int64(Int8(bitPattern: v))
        }
        guard stored == unsigned || stored == signed else {
            throw .malformedArchive("bad header checksum in entry #\(entryCount) (not a tar archive?)")
        }
    }

    // MARK: PAX

    /// Records `"<length> <key>=<value>\n"`, the length counting the whole record.
    private func parsePAX(_ data: [UInt8]) throws(LayerError) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        var i = 0
        while i < data.count {
            if data[i] == 0 { break }  // NUL padding after the records
            var length = 0
            var j = i
            while j < data.count && data[j] >= 0x30 && data[j] <= 0x39 && length < 1 << 24 {
                length = length * 10 + Int(data[j] - 0x30); j += 1
            }
            guard j < data.count, data[j] == 0x20, length > j - i + 1, i + length <= data.count,
                  data[i + length - 1] == 0x0a else {
                throw .malformedArchive("bad PAX record in entry #\(entryCount)")
            }
            let record = data[(j + 1)..<(i + length - 1)]
            guard let eq = record.firstIndex(of: 0x3d) else {
                throw .malformedArchive("bad PAX record in entry #\(entryCount)")
            }
            out[String(decoding: record[record.startIndex..<eq], as: UTF8.self)] = Array(record[(eq + 1)...])
            i += length
        }
        return out
    }

    private func applyPAX(_ pax: [String: [UInt8]], to entry: inout TarEntry) throws(LayerError) {
        for (key, value) in pax {
            let text = String(decoding: value, as: UTF8.self)
            func integer() throws(LayerError) -> Int64 {
                guard let v = Int64(text), v >= 0 else {
                    throw .malformedArchive("bad PAX \(key)=\(text) for \"\(entry.path)\"")
                }
                return v
            }
            switch key {
            case "path": entry.path = text
            case "linkpath": entry.linkTarget = text
            case "size": entry.size = try integer()
            case "uid": entry.uid = Int(try integer())
            case "gid": entry.gid = Int(try integer())
            case "mtime":
                let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
                guard let s = Int64(parts[0]) else {
                    throw .malformedArchive("bad PAX mtime=\(text) for \"\(entry.path)\"")
                }
                entry.mtimeSeconds = s
                if parts.count == 2 {
                    let digits = String(parts[1].prefix(9))
                    guard let frac = Int(digits), digits.allSatisfy(\.isNumber) else {
                        throw .malformedArchive("bad PAX mtime=\(text) for \"\(entry.path)\"")
                    }
                    var ns = frac
                    for _ in digits.count..<9 { ns *= 10 }
                    // A negative time with a fraction counts the fraction towards the past.
                    if s < 0 && ns > 0 { entry.mtimeSeconds -= 1; ns = 1_000_000_000 - ns }
                    entry.mtimeNanoseconds = ns
                }
            default:
                if key.hasPrefix("SCHILY.xattr.") {
                    entry.xattrs[String(key.dropFirst("SCHILY.xattr.".count))] = value
                }
            }
        }
    }

    // MARK: bytes

    private func readMetadata(_ size: Int64) throws(LayerError) -> [UInt8] {
        guard size <= Int64(TarReader.metadataLimit) else {
            throw .malformedArchive("extended header of \(size) bytes in entry #\(entryCount) is too large")
        }
        let padded = (Int(size) + TarReader.blockSize - 1) / TarReader.blockSize * TarReader.blockSize
        guard let bytes = try readExactly(padded) else {
            throw .malformedArchive("archive truncated inside an extended header")
        }
        return Array(bytes[0..<Int(size)])
    }

    /// The next 512-byte block, nil at a clean end of stream; a partial block is an error.
    private func readBlock() throws(LayerError) -> [UInt8]? {
        try readExactly(TarReader.blockSize)
    }

    private func readExactly(_ count: Int) throws(LayerError) -> [UInt8]? {
        let tmp = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        defer { tmp.deallocate() }
        var got = 0
        while got < count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: tmp[got...]))
            if n == 0 {
                if got == 0 { return nil }
                throw .malformedArchive("archive truncated inside a header")
            }
            got += n
        }
        return Array(tmp)
    }

    /// Buffered, hashed reads from the source.
    private func read(into out: UnsafeMutableRawBufferPointer) throws(LayerError) -> Int {
        if start == end {
            if sourceEnded { return 0 }
            let n = try source.read(into: buffer)
            if n == 0 { sourceEnded = true; return 0 }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            start = 0; end = n
        }
        let n = min(out.count, end - start)
        out.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: n)
        start += n
        return n
    }

    private func cString(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }
}
