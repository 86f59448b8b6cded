import NIOCore

/// gRPC's length-prefixed messages (a flag byte, 0 for uncompressed; a u32 big-endian length; the
/// message) cut out of one stream's DATA frames, however the frames split them.
struct GRPCMessageReader {
    enum Failure: Error, Equatable {
        /// The flag byte asked for a compression this server never offered.
        case compressed
        case tooLarge(length: Int, limit: Int)
    }

    let maxMessageBytes: Int
    private var buffered: ByteBuffer?

    init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    mutating func append(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0 else { return }
        switch buffered {
        case nil: buffered = bytes
        case .some(var b):
            buffered = nil
            b.writeImmutableBuffer(bytes)
            buffered = b
        }
    }

    /// The next whole message; nil until all of its bytes have arrived.
    mutating func next() throws(Failure) -> ByteBuffer? {
        guard var b = buffered, b.readableBytes >= 5,
              let flag = b.getInteger(at: b.readerIndex, as: UInt8.self),
              let length32 = b.getInteger(at: b.readerIndex + 1, as: UInt32.self) else { return nil }
        let length = Int(length32)
        if flag != 0 { throw .compressed }
        if length > maxMessageBytes { throw .tooLarge(length: length, limit: maxMessageBytes) }
        guard b.readableBytes >= 5 + length else { return nil }
        b.moveReaderIndex(forwardBy: 5)
        let message = b.readSlice(length: length)
        buffered = b.readableBytes == 0 ? nil : b
        return message
    }

    /// Bytes of a message that has not fully arrived.
    var hasPartialMessage: Bool { (buffered?.readableBytes ?? 0) > 0 }

    /// `message` with gRPC's prefix, ready for a DATA frame.
    static func framed(_ message: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var b = allocator.buffer(capacity: 5 + message.count)
        b.writeInteger(UInt8(0))
        b.writeInteger(UInt32(message.count))
        b.writeBytes(message)
        return b
    }
}

/// grpc-message's encoding (gRPC over HTTP/2): bytes outside printable ASCII, and '%', as %XX.
enum GRPCStatusMessage {
    static func percentEncoded(_ message: String) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(message.utf8.count)
        for byte in message.utf8 {
            if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
