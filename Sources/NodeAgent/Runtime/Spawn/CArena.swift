import Glibc

/// Owns the C memory a `swl_container_desc` points into; freed when the arena goes away,
/// which is after the monitor has forked with its own copy.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit { for b in blocks { free(b) } }

    func string(_ s: String) -> UnsafeMutablePointer<CChar> {
        let p = strdup(s)!
        blocks.append(p)
        return p
    }

    func string(_ s: String?) -> UnsafePointer<CChar>? {
        s.map { UnsafePointer(string($0)) }
    }

    /// A NULL-terminated `char *[]`.
    func stringArray(_ strings: [String]) -> UnsafePointer<UnsafeMutablePointer<CChar>?> {
        let p = array(of: UnsafeMutablePointer<CChar>?.self, count: strings.count + 1)
        for (i, s) in strings.enumerated() { p[i] = string(s) }
        p[strings.count] = nil
        return UnsafePointer(p)
    }

    func constStringArray(_ strings: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let p = array(of: UnsafePointer<CChar>?.self, count: max(strings.count, 1))
        for (i, s) in strings.enumerated() { p[i] = UnsafePointer(string(s)) }
        return UnsafePointer(p)
    }

    func array<T>(of type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let raw = calloc(max(count, 1), MemoryLayout<T>.stride)!
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    func copy<T>(_ values: [T]) -> UnsafePointer<T> {
        let p = array(of: T.self, count: values.count)
        for (i, v) in values.enumerated() { (p + i).initialize(to: v) }
        return UnsafePointer(p)
    }

    func buffer(_ bytes: [UInt8]) -> UnsafeRawPointer {
        let p = array(of: UInt8.self, count: bytes.count)
        for (i, b) in bytes.enumerated() { p[i] = b }
        return UnsafeRawPointer(p)
    }
}
