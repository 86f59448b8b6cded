import Dispatch
import Glibc

/// SIGTERM and SIGINT as a one-shot signal: the default actions are replaced, so the process stops
/// through `ServerRunner`'s orderly shutdown rather than dying mid-write.
enum StopSignals {
    /// Sources are kept for the life of the process.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func install() -> ShutdownSignal {
        let stop = ShutdownSignal()
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.fire() }
            source.resume()
            sources.append(source)
        }
        return stop
    }
}
