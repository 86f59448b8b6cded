import FoundationEssentials
import KubeAPI

/// Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`, what kubectl's
/// typed `create` commands send) into the same JSON the API server stores: the `k8s\0` magic, a
/// `runtime.Unknown` envelope with apiVersion/kind, and the object's message, walked with the field
/// table in `KubeProtoSchema`. Empty strings and zero times are left out, as Go's `omitempty` would in
/// JSON.
enum KubeProtobuf {
    struct DecodeError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    indirect enum Kind: Sendable {
        case string, bytes, int, bool, double, time, intOrString, quantity, raw, duration
        case message(String)
    }

    struct Field: Sendable {
        var name: String
        var kind: Kind
        var repeated: Bool
        var map: Bool
    }

    static let schema: [String: [Int: Field]] = {
        var out: [String: [Int: Field]] = [:]
        for line in KubeProtoSchema.text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let name = String(line[..<eq])
            var fields: [Int: Field] = [:]
            for spec in line[line.index(after: eq)...].split(separator: ",") {
                let parts = spec.split(separator: ":", maxSplits: 2)
                guard parts.count == 3, let num = Int(parts[0]) else { continue }
                var t = Substring(parts[2])
                var repeated = false, map = false
                if t.hasPrefix("*") { repeated = true; t = t.dropFirst() }
                if t.hasPrefix("%") { map = true; t = t.dropFirst() }
                let kind: Kind
                switch t {
                case "s": kind = .string
                case "b": kind = .bytes
                case "i": kind = .int
                case "f": kind = .bool
                case "d": kind = .double
                case "T": kind = .time
                case "I": kind = .intOrString
                case "Q": kind = .quantity
                case "R": kind = .raw
                case "D": kind = .duration
                default: kind = .message(String(t.dropFirst()))
                }
                fields[num] = Field(name: String(parts[1]), kind: kind, repeated: repeated, map: map)
            }
            out[name] = fields
        }
        return out
    }()

    /// The message type of each served kind.
    static func messageType(apiVersion: String, kind: String) -> String? {
        let pkg: String
        switch apiVersion {
        case "v1": pkg = "core"
        case "apps/v1": pkg = "apps"
        case "coordination.k8s.io/v1": pkg = "coord"
        case "discovery.k8s.io/v1": pkg = "disc"
        case "meta.k8s.io/v1": pkg = "meta"
        case "policy/v1": pkg = "policy"
        default: return nil
        }
        let name = pkg + "." + kind
        if schema[name] != nil { return name }
        if kind == "DeleteOptions", schema["meta.DeleteOptions"] != nil { return "meta.DeleteOptions" }
        return nil
    }

    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

    /// Decodes an enveloped object. Throws on bad magic, malformed wire data or an unknown kind.
    static func decode(_ bytes: [UInt8]) throws(DecodeError) -> JSONValue {
        guard bytes.count >= 4, Array(bytes[0..<4]) == magic else { throw DecodeError("missing the k8s protobuf magic prefix") }
        var reader = Reader(bytes: bytes, position: 4, end: bytes.count)
        let unknown = try decodeMessage("runtime.Unknown", &reader, depth: 0, rawBytes: true)
        let apiVersion = unknown["typeMeta"]?["apiVersion"]?.stringValue ?? ""
        let kind = unknown["typeMeta"]?["kind"]?.stringValue ?? ""
        guard let type = messageType(apiVersion: apiVersion, kind: kind) else {
            throw DecodeError("no protobuf decoding for \(apiVersion), Kind=\(kind)")
        }
        guard case .array(let rawArray)? = unknown["raw"] else { throw DecodeError("empty protobuf object") }
        let raw = rawArray.compactMap { $0.integerValue.map { UInt8(truncatingIfNeeded: $0) } }
        var inner = Reader(bytes: raw, position: 0, end: raw.count)
        var object = try decodeMessage(type, &inner, depth: 0, rawBytes: false)
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return object
    }

    struct Reader {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        var atEnd: Bool { position >= end }

        mutating func varint() throws(DecodeError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < end, shift < 64 else { throw DecodeError("truncated varint") }
                let b = bytes[position]
                position += 1
                result |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }

        mutating func fixed(_ n: Int) throws(DecodeError) -> UInt64 {
            guard position + n <= end else { throw DecodeError("truncated fixed field") }
            var v: UInt64 = 0
            for i in 0..<n { v |= UInt64(bytes[position + i]) << UInt64(8 * i) }
            position += n
            return v
        }

        mutating func lengthDelimited() throws(DecodeError) -> Reader {
            let n = try varint()
            guard n <= UInt64(end - position) else { throw DecodeError("length past the end of the message") }
            let sub = Reader(bytes: bytes, position: position, end: position + Int(n))
            position += Int(n)
            return sub
        }

        mutating func skip(_ wire: UInt64) throws(DecodeError) {
            switch wire {
            case 0: _ = try varint()
            case 1: _ = try fixed(8)
            case 2: _ = try lengthDelimited()
            case 5: _ = try fixed(4)
            default: throw DecodeError("unsupported wire type \(wire)")
            }
        }

        func slice() -> [UInt8] { Array(bytes[position..<end]) }
    }

    static func decodeMessage(_ type: String, _ r: inout Reader, depth: Int, rawBytes: Bool) throws(DecodeError) -> JSONValue {
        guard depth < 64 else { throw DecodeError("protobuf nesting too deep") }
        guard let fields = schema[type] else { throw DecodeError("unknown message \(type)") }
        var out: [String: JSONValue] = [:]
        while !r.atEnd {
            let key = try r.varint()
            let number = Int(key >> 3), wire = key & 7
            guard let field = fields[number] else { try r.skip(wire); continue }
            if field.map {
                guard wire == 2 else { try r.skip(wire); continue }
                var entry = try r.lengthDelimited()
                var k = "", v: JSONValue? = nil
                while !entry.atEnd {
                    let ek = try entry.varint()
                    if ek >> 3 == 1 && ek & 7 == 2 {
                        var s = try entry.lengthDelimited()
                        k = String(decoding: s.slice(), as: UTF8.self)
                        s.position = s.end
                    } else if ek >> 3 == 2 {
                        v = try value(field.kind, wire: ek & 7, &entry, depth: depth, keepEmpty: true, rawBytes: false)
                    } else {
                        try entry.skip(ek & 7)
                    }
                }
                var m = out[field.name]?.objectValue ?? [:]
                m[k] = v ?? (field.kind.isStringLike ? .string("") : .null)
                out[field.name] = .object(m)
                continue
            }
            if field.repeated, wire == 2, field.kind.isPackable {
                var packed = try r.lengthDelimited()
                var arr = out[field.name]?.arrayValue ?? []
                while !packed.atEnd {
                    if let v = try value(field.kind, wire: field.kind.packedWire, &packed, depth: depth, keepEmpty: true, rawBytes: false) { arr.append(v) }
                }
                out[field.name] = .array(arr)
                continue
            }
            let v = try value(field.kind, wire: wire, &r, depth: depth, keepEmpty: field.repeated, rawBytes: rawBytes)
            guard let v else { continue }
            if field.repeated {
                var arr = out[field.name]?.arrayValue ?? []
                arr.append(v)
                out[field.name] = .array(arr)
            } else {
                out[field.name] = v
            }
        }
        return .object(out)
    }

    static func value(_ kind: Kind, wire: UInt64, _ r: inout Reader, depth: Int, keepEmpty: Bool, rawBytes: Bool) throws(DecodeError) -> JSONValue? {
        switch kind {
        case .int:
            guard wire == 0 else { try r.skip(wire); return nil }
            return .integer(Int64(bitPattern: try r.varint()))
        case .bool:
            guard wire == 0 else { try r.skip(wire); return nil }
            return .bool(try r.varint() != 0)
        case .double:
            if wire == 1 { return .double(Double(bitPattern: try r.fixed(8))) }
            if wire == 5 { return .double(Double(Float(bitPattern: UInt32(try r.fixed(4))))) }
            try r.skip(wire)
            return nil
        case .string:
            guard wire == 2 else { try r.skip(wire); return nil }
            let s = try r.lengthDelimited().slice()
            guard let str = String(validating: s, as: UTF8.self) else { throw DecodeError("invalid UTF-8 in a string field") }
            return str.isEmpty && !keepEmpty ? nil : .string(str)
        case .bytes:
            guard wire == 2 else { try r.skip(wire); return nil }
            let b = try r.lengthDelimited().slice()
            // The envelope's raw bytes are handed back as numbers for the second pass.
            if rawBytes { return .array(b.map { .integer(Int64($0)) }) }
            return .string(Data(b).base64EncodedString())
        case .quantity:
            guard wire == 2 else { try r.skip(wire); return nil }
            var sub = try r.lengthDelimited()
            let q = try decodeMessage("resource.Quantity", &sub, depth: depth + 1, rawBytes: false)
            return q["string"] ?? .string("0")
        case .time:
            guard wire == 2 else { try r.skip(wire); return nil }
            var sub = try r.lengthDelimited()
            var seconds: Int64 = 0
            while !sub.atEnd {
                let k = try sub.varint()
                if k >> 3 == 1 && k & 7 == 0 { seconds = Int64(bitPattern: try sub.varint()) } else { try sub.skip(k & 7) }
            }
            return seconds == 0 ? nil : .string(Time(seconds: seconds).rfc3339)
        case .intOrString:
            guard wire == 2 else { try r.skip(wire); return nil }
            var sub = try r.lengthDelimited()
            var type: UInt64 = 0, i: Int64 = 0, s = ""
            while !sub.atEnd {
                let k = try sub.varint()
                switch (k >> 3, k & 7) {
                case (1, 0): type = try sub.varint()
                case (2, 0): i = Int64(Int32(truncatingIfNeeded: Int64(bitPattern: try sub.varint())))
                case (3, 2): s = String(decoding: try sub.lengthDelimited().slice(), as: UTF8.self)
                default: try sub.skip(k & 7)
                }
            }
            return type == 1 ? .string(s) : .integer(i)
        case .raw:
            guard wire == 2 else { try r.skip(wire); return nil }
            var sub = try r.lengthDelimited()
            var raw: [UInt8] = []
            while !sub.atEnd {
                let k = try sub.varint()
                if k >> 3 == 1 && k & 7 == 2 { raw = try sub.lengthDelimited().slice() } else { try sub.skip(k & 7) }
            }
            return raw.isEmpty ? nil : (try? JSONValue.parse(raw))
        case .duration:
            guard wire == 2 else { try r.skip(wire); return nil }
            var sub = try r.lengthDelimited()
            var nanos: Int64 = 0
            while !sub.atEnd {
                let k = try sub.varint()
                if k >> 3 == 1 && k & 7 == 0 { nanos = Int64(bitPattern: try sub.varint()) } else { try sub.skip(k & 7) }
            }
            return .string("\(Double(nanos) / 1e9)s")
        case .message(let type):
            guard wire == 2 else { try r.skip(wire); return nil }
            var sub = try r.lengthDelimited()
            return try decodeMessage(type, &sub, depth: depth + 1, rawBytes: false)
        }
    }
}

extension KubeProtobuf.Kind {
    var isStringLike: Bool {
        switch self {
        case .string, .bytes: return true
        default: return false
        }
    }

    var isPackable: Bool {
        switch self {
        case .int, .bool, .double: return true
        default: return false
        }
    }

    var packedWire: UInt64 {
        if case .double = self { return 1 }
        return 0
    }
}
