import SwiftletCSystem
import Glibc

/// A stream of bytes the layer reader pulls from: a file, memory, or a decompressor over either.
public protocol ByteSource: AnyObject {
    /// Fills a prefix of `buffer`; returns how many bytes, 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LayerError) -> Int
}

/// Reads a file descriptor (not closed by the source).
public final class FileDescriptorSource: ByteSource {
    public let fd: Int32
    public init(fd: Int32) { self.fd = fd }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(LayerError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw .read(Errno(errno)) }
        }
    }
}

/// Reads bytes held in memory.
public final class BufferSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(LayerError) -> Int {
        let n = min(buffer.count, bytes.count - position)
        if n > 0 {
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
            position += n
        }
        return n
    }
}

/// Inflates a gzip stream (one or more members) from another source, through zlib loaded with
/// dlopen (`swl_gunzip_*`). A stream that stops inside a member is an error, not an early end.
public final class GzipSource: ByteSource {
    private let input: ByteSource
    private let z: OpaquePointer
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0, end = 0
    private var inputEnded = false
    private var memberEnded = false

    public init(_ input: ByteSource) throws(LayerError) {
        self.input = input
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        var err = [CChar](repeating: 0, count: 256)
        guard let z = swl_gunzip_new(&err, err.count) else {
            buffer.deallocate()
            throw .corruptCompression(String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.z = z
    }

    deinit { swl_gunzip_free(z); buffer.deallocate() }

    public func read(into out: UnsafeMutableRawBufferPointer) throws(LayerError) -> Int {
        guard out.count > 0 else { return 0 }
        while true {
            if start == end && !inputEnded {
                let n = try input.read(into: buffer)
                start = 0; end = n
                if n == 0 { inputEnded = true }
            }
            if start == end && inputEnded && memberEnded { return 0 }
            var consumed = 0, produced = 0
            var err = [CChar](repeating: 0, count: 256)
            let rc = swl_gunzip_step(z, buffer.baseAddress! + start, end - start, &consumed,
                                     out.baseAddress, out.count, &produced, &err, err.count)
            start += consumed
            if rc < 0 {
                throw .corruptCompression(String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            if rc == 1 { memberEnded = true } else if consumed > 0 || produced > 0 { memberEnded = false }
            if produced > 0 { return produced }
            if rc == 0 && consumed == 0 && start == end && inputEnded {
                throw .corruptCompression("unexpected end of gzip stream")
            }
        }
    }
}
