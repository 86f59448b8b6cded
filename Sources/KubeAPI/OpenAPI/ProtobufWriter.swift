/// A minimal protocol buffers encoder (proto3 wire format) for the messages Swiftlet writes by hand,
/// so KubeAPI needs no protobuf runtime. Zero values are skipped, as proto3 does.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    mutating func string(_ field: Int, _ value: String?) {
        guard let value, !value.isEmpty else { return }
        bytes(field, Array(value.utf8))
    }

    mutating func strings(_ field: Int, _ values: [String]) {
        for v in values { tag(field, wireType: 2); varint(UInt64(v.utf8.count)); bytes += Array(v.utf8) }
    }

    mutating func bool(_ field: Int, _ value: Bool?) {
        guard value == true else { return }
        tag(field, wireType: 0)
        varint(1)
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, wireType: 2)
        varint(UInt64(value.count))
        bytes += value
    }

    /// An embedded message, written even when empty (presence matters for oneofs).
    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }
}

/// A protocol buffers reader for tests and for checking what was written: each field's raw values.
public struct ProtobufMessage: Sendable {
    public enum Value: Hashable, Sendable {
        case varint(UInt64)
        case bytes([UInt8])
        case fixed64(UInt64)
        case fixed32(UInt32)
    }

    public var fields: [(number: Int, value: Value)] = []

    public init?(_ bytes: [UInt8]) {
        var i = 0
        func varint() -> UInt64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while i < bytes.count, shift < 64 {
                let b = bytes[i]
                i += 1
                result |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return result }
                shift += 7
            }
            return nil
        }
        while i < bytes.count {
            guard let key = varint() else { return nil }
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                guard let v = varint() else { return nil }
                fields.append((number, .varint(v)))
            case 1:
                guard i + 8 <= bytes.count else { return nil }
                var v: UInt64 = 0
                for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
                i += 8
                fields.append((number, .fixed64(v)))
            case 2:
                guard let n = varint(), i + Int(n) <= bytes.count else { return nil }
                fields.append((number, .bytes(Array(bytes[i..<(i + Int(n))]))))
                i += Int(n)
            case 5:
                guard i + 4 <= bytes.count else { return nil }
                var v: UInt32 = 0
                for k in 0..<4 { v |= UInt32(bytes[i + k]) << (8 * UInt32(k)) }
                i += 4
                fields.append((number, .fixed32(v)))
            default:
                return nil
            }
        }
    }

    public func all(_ number: Int) -> [Value] { fields.filter { $0.number == number }.map(\.value) }

    public func string(_ number: Int) -> String? {
        guard case .bytes(let b)? = all(number).last else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    public func strings(_ number: Int) -> [String] {
        all(number).compactMap { if case .bytes(let b) = $0 { String(decoding: b, as: UTF8.self) } else { nil } }
    }

    public func messages(_ number: Int) -> [ProtobufMessage] {
        all(number).compactMap { if case .bytes(let b) = $0 { ProtobufMessage(b) } else { nil } }
    }

    public func message(_ number: Int) -> ProtobufMessage? { messages(number).last }

    public func bool(_ number: Int) -> Bool {
        if case .varint(let v)? = all(number).last { return v != 0 }
        return false
    }
}
