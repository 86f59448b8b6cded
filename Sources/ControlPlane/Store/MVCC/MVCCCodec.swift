// The MVCC command and snapshot codec: varints and length-prefixed byte strings written with
// ByteWriter (Store/ByteCoding.swift); reading them back throws MVCCError.corrupt on bad input.

extension ByteReader {
    mutating func byte() throws(MVCCError) -> UInt8 {
        guard let b = u8() else { throw .corrupt("truncated at \(offset)") }
        return b
    }

    mutating func uvarint() throws(MVCCError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw .corrupt("varint overflow at \(offset)") }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw .corrupt("varint too long at \(offset)") }
        }
    }

    mutating func int() throws(MVCCError) -> Int64 { Int64(bitPattern: try uvarint()) }

    mutating func count() throws(MVCCError) -> Int {
        let n = try uvarint()
        guard n <= UInt64(remaining) else { throw .corrupt("count \(n) exceeds remaining bytes") }
        return Int(n)
    }

    mutating func bool() throws(MVCCError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        case let b: throw .corrupt("bad bool \(b)")
        }
    }

    mutating func data() throws(MVCCError) -> [UInt8] {
        let n = try count()
        defer { position += n }
        return Array(bytes[position..<(position + n)])
    }

    mutating func enumeration<E: RawRepresentable>(_: E.Type) throws(MVCCError) -> E where E.RawValue == UInt8 {
        let b = try byte()
        guard let e = E(rawValue: b) else { throw .corrupt("bad \(E.self) \(b)") }
        return e
    }
}

// MARK: - Encodings of the value types

extension KeyValue {
    func encode(to w: inout ByteWriter) {
        w.data(key)
        w.data(value)
        w.int(createRevision)
        w.int(modRevision)
        w.int(version)
        w.int(lease)
    }

    init(from r: inout ByteReader) throws(MVCCError) {
        self.init(key: try r.data(), value: try r.data(), createRevision: try r.int(), modRevision: try r.int(),
                  version: try r.int(), lease: try r.int())
    }
}

extension Revision {
    func encode(to w: inout ByteWriter) {
        w.int(main)
        w.int(sub)
    }

    init(from r: inout ByteReader) throws(MVCCError) {
        self.init(main: try r.int(), sub: try r.int())
    }
}

extension RangeRequest {
    func encode(to w: inout ByteWriter) {
        w.data(key)
        w.data(end)
        w.int(limit)
        w.int(revision)
        w.u8(sortOrder.rawValue)
        w.u8(sortTarget.rawValue)
        w.bool(keysOnly)
        w.bool(countOnly)
        w.int(minModRevision)
        w.int(maxModRevision)
        w.int(minCreateRevision)
        w.int(maxCreateRevision)
    }

    init(from r: inout ByteReader) throws(MVCCError) {
        self.init(key: try r.data(), end: try r.data(), limit: try r.int(), revision: try r.int(),
                  sortOrder: try r.enumeration(SortOrder.self), sortTarget: try r.enumeration(SortTarget.self),
                  keysOnly: try r.bool(), countOnly: try r.bool(), minModRevision: try r.int(),
                  maxModRevision: try r.int(), minCreateRevision: try r.int(), maxCreateRevision: try r.int())
    }
}

extension PutRequest {
    func encode(to w: inout ByteWriter) {
        w.data(key)
        w.data(value)
        w.int(lease)
        w.bool(prevKV)
        w.bool(ignoreValue)
        w.bool(ignoreLease)
    }

    init(from r: inout ByteReader) throws(MVCCError) {
        self.init(key: try r.data(), value: try r.data(), lease: try r.int(), prevKV: try r.bool(),
                  ignoreValue: try r.bool(), ignoreLease: try r.bool())
    }
}

extension DeleteRangeRequest {
    func encode(to w: inout ByteWriter) {
        w.data(key)
        w.data(end)
        w.bool(prevKV)
    }

    init(from r: inout ByteReader) throws(MVCCError) {
        self.init(key: try r.data(), end: try r.data(), prevKV: try r.bool())
    }
}

extension Compare {
    func encode(to w: inout ByteWriter) {
        w.data(key)
        w.data(end)
        w.u8(result.rawValue)
        switch target {
        case .version(let v): w.u8(0); w.int(v)
        case .create(let v): w.u8(1); w.int(v)
        case .mod(let v): w.u8(2); w.int(v)
        case .value(let v): w.u8(3); w.data(v)
        case .lease(let v): w.u8(4); w.int(v)
        }
    }

    init(from r: inout ByteReader) throws(MVCCError) {
        let key = try r.data(), end = try r.data()
        let result = try r.enumeration(CompareResult.self)
        let target: CompareTarget
        switch try r.byte() {
        case 0: target = .version(try r.int())
        case 1: target = .create(try r.int())
        case 2: target = .mod(try r.int())
        case 3: target = .value(try r.data())
        case 4: target = .lease(try r.int())
        case let b: throw .corrupt("bad compare target \(b)")
        }
        self.init(key: key, end: end, target, result)
    }
}

extension RequestOp {
    func encode(to w: inout ByteWriter) {
        switch self {
        case .range(let q): w.u8(0); q.encode(to: &w)
        case .put(let q): w.u8(1); q.encode(to: &w)
        case .deleteRange(let q): w.u8(2); q.encode(to: &w)
        case .txn(let q): w.u8(3); q.encode(to: &w)
        }
    }

    init(from r: inout ByteReader, depth: Int) throws(MVCCError) {
        switch try r.byte() {
        case 0: self = .range(try RangeRequest(from: &r))
        case 1: self = .put(try PutRequest(from: &r))
        case 2: self = .deleteRange(try DeleteRangeRequest(from: &r))
        case 3: self = .txn(try TxnRequest(from: &r, depth: depth + 1))
        case let b: throw .corrupt("bad request op \(b)")
        }
    }
}

extension TxnRequest {
    /// Nesting bound when decoding, so hostile bytes cannot exhaust the stack.
    static let maxDepth = 64

    func encode(to w: inout ByteWriter) {
        w.int(compares.count)
        for c in compares { c.encode(to: &w) }
        w.int(success.count)
        for op in success { op.encode(to: &w) }
        w.int(failure.count)
        for op in failure { op.encode(to: &w) }
    }

    init(from r: inout ByteReader, depth: Int = 0) throws(MVCCError) {
        if depth > Self.maxDepth { throw .corrupt("txn nested too deeply") }
        var compares: [Compare] = []
        for _ in 0..<(try r.count()) { compares.append(try Compare(from: &r)) }
        var success: [RequestOp] = []
        for _ in 0..<(try r.count()) { success.append(try RequestOp(from: &r, depth: depth)) }
        var failure: [RequestOp] = []
        for _ in 0..<(try r.count()) { failure.append(try RequestOp(from: &r, depth: depth)) }
        self.init(compares: compares, success: success, failure: failure)
    }
}
