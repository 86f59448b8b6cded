import SwiftletCSystem
import Glibc

/// `run` of a container with process.terminal and no console socket, as `runc run` in a
/// shell: our stdin and stdout are joined to the container's pty master, our terminal (if
/// stdin is one) is put in raw mode so keystrokes pass through, and window size follows.
final class TerminalProxy {
    let master: Int32
    private var saved: termios?
    private(set) var stdinOpen = true
    private var masterOpen = true

    init(master: Int32) {
        self.master = master
        if isatty(0) != 0 {
            var t = termios()
            if tcgetattr(0, &t) == 0 {
                saved = t
                var raw = t
                cfmakeraw(&raw)
                tcsetattr(0, TCSANOW, &raw)
            }
            _ = swl_copy_winsize(0, master)
        }
    }

    deinit {
        if var t = saved { tcsetattr(0, TCSANOW, &t) }
        close(master)
    }

    /// The descriptors to poll besides the runtime's own.
    var pollFDs: [pollfd] {
        [pollfd(fd: stdinOpen ? 0 : -1, events: Int16(POLLIN), revents: 0),
         pollfd(fd: masterOpen ? master : -1, events: Int16(POLLIN), revents: 0)]
    }

    /// Moves what is ready: stdin to the container, the container's output to stdout.
    func pump(_ fds: [pollfd]) {
        if fds[0].revents != 0 && !copy(from: 0, to: master) { stdinOpen = false }
        if fds[1].revents != 0 && !copy(from: master, to: 1) { masterOpen = false }
    }

    /// After the container exits: what it wrote last is still in the pty.
    func drain() {
        let flags = fcntl(master, F_GETFL)
        _ = fcntl(master, F_SETFL, flags | O_NONBLOCK)
        while masterOpen && copy(from: master, to: 1) {}
    }

    func resize() { _ = swl_copy_winsize(0, master) }

    /// One chunk; false at end of input or on an error (EIO: the last slave closed).
    private func copy(from: Int32, to: Int32) -> Bool {
        var buf = [UInt8](repeating: 0, count: 16 * 1024)
        let n = buf.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { return true }
        guard n > 0 else { return false }
        var off = 0
        while off < n {
            let w = buf.withUnsafeBytes { write(to, $0.baseAddress! + off, n - off) }
            if w < 0 { if errno == EINTR { continue }; return false }
            off += w
        }
        return true
    }
}
