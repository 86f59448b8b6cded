import ArgumentParser
import FoundationEssentials
import Glibc
import NodeAgent

/// A failed command: ArgumentParser prints it as "Error: <message>" and exits 1. Public because
/// the other `swiftlet` commands (images, server) fail the same way.
public struct RuntimeFailure: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}

/// Prints "swiftlet: <what failed>" and exits 1, as runc prints its errors.
func runtimeCall<T>(_ body: () throws(RuntimeError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        var err = StandardError()
        print("swiftlet: \(error)", to: &err)
        throw ExitCode(1)
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
