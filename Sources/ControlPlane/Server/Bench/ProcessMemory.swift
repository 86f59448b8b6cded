import Glibc

/// A process's resident memory from /proc/<pid>/status: VmRSS now and VmHWM (its peak), in KiB.
public struct ProcessMemory: Sendable, Equatable {
    public var rssKiB: Int
    public var peakKiB: Int

    public init(rssKiB: Int, peakKiB: Int) {
        self.rssKiB = rssKiB
        self.peakKiB = peakKiB
    }

    /// Parses the text of /proc/<pid>/status; nil without a VmRSS line.
    public init?(statusText: String) {
        var rss: Int?
        var peak: Int?
        for line in statusText.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") { rss = Self.kib(line) }
            else if line.hasPrefix("VmHWM:") { peak = Self.kib(line) }
        }
        guard let rss else { return nil }
        self.init(rssKiB: rss, peakKiB: peak ?? rss)
    }

    static func kib(_ line: Substring) -> Int? {
        line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
    }

    public enum ReadError: Error, CustomStringConvertible {
        case unreadable(pid: Int32, errno: Int32)
        case noVmRSS(pid: Int32)
        public var description: String {
            switch self {
            case .unreadable(let pid, let e): "reading /proc/\(pid)/status: \(String(cString: strerror(e)))"
            case .noVmRSS(let pid): "/proc/\(pid)/status has no VmRSS line"
            }
        }
    }

    public static func read(pid: Int32) throws(ReadError) -> ProcessMemory {
        let fd = open("/proc/\(pid)/status", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(pid: pid, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw .unreadable(pid: pid, errno: errno) }
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        guard let m = ProcessMemory(statusText: String(decoding: bytes, as: UTF8.self)) else { throw .noVmRSS(pid: pid) }
        return m
    }
}
