import SwiftletCSystem
import Glibc

extension ContainerRuntime {
    /// create + start + wait + delete, as `runc run`: returns how the container's program
    /// ended. With `forwardSignals`, INT/TERM/HUP/QUIT/USR1/USR2/WINCH sent to this process
    /// go to the container's init instead.
    public func run(id: String, bundle: String, io: ContainerIO = .inherit, forwardSignals: Bool = false) throws(RuntimeError) -> ExitStatus {
        let plan = try plan(id: id, bundle: bundle)
        var sigfd: Int32 = -1
        if forwardSignals {
            sigfd = swl_forward_signals_begin()
            if sigfd < 0 { throw .step(id: id, operation: "run", step: "signalfd", errno: Errno(-sigfd)) }
        }
        defer { if forwardSignals { swl_forward_signals_end(sigfd) } }

        // A terminal with nowhere to send it: we take the pty master and relay it to our
        // own stdio, as `runc run` does in a shell.
        var io = io
        var console: [Int32] = [-1, -1]
        if plan.terminal && io.consoleSocket < 0 {
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &console) == 0 else {
                throw .step(id: id, operation: "run", step: "socketpair for the terminal", errno: Errno(errno))
            }
            io.consoleSocket = console[1]
        }
        defer { for fd in console where fd >= 0 { close(fd) } }
        let created = try create(plan: plan, io: io)
        var proxy: TerminalProxy?
        if console[0] >= 0 {
            close(console[1])
            console[1] = -1
            do {
                proxy = TerminalProxy(master: try Self.receiveTerminal(from: console[0]))
            } catch {
                try? delete(id: id, force: true)
                throw .step(id: id, operation: "run", step: "receive the terminal", errno: error)
            }
        }
        do {
            try start(id: id)
        } catch {
            try? delete(id: id, force: true)
            throw error
        }
        let waitStatus: Int32
        do {
            waitStatus = try wait(created, forwardingFrom: sigfd, relaying: proxy)
            proxy?.drain()
            proxy = nil  // restores our terminal before anything is printed
        } catch {
            try? delete(id: id, force: true)
            throw .step(id: id, operation: "run", step: "wait for the container", errno: error)
        }
        created.waitForMonitorExit()
        let oom = ((try? makeCgroup(plan.cgroupPath, id: id, operation: "run").oomKillCount()) ?? 0) > 0
        var exit = ExitStatus(waitStatus: waitStatus, oomKilled: oom)
        if let text = try? readFile(files(id).execError), let line = String(data: text, encoding: .utf8) {
            let started = Self.describeStartError(line)
            // execve failed after start: say so, as a shell would with 127.
            logger.error("container program did not start", metadata: ["container": "\(id)", "error": "\(started)"])
            exit.code = 127
        }
        try delete(id: id, force: true)
        return exit
    }

    private func wait(_ created: CreatedContainer, forwardingFrom sigfd: Int32, relaying proxy: TerminalProxy?) throws(Errno) -> Int32 {
        if sigfd < 0 && proxy == nil { return try created.waitStatus() }
        while true {
            var fds = [pollfd(fd: created.exitNotificationFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: sigfd, events: Int16(POLLIN), revents: 0)] + (proxy?.pollFDs ?? [])
            let n = poll(&fds, nfds_t(fds.count), -1)
            if n < 0 { if errno == EINTR { continue }; throw Errno(errno) }
            if fds[1].revents & Int16(POLLIN) != 0 {
                let sig = swl_forward_signals_read(sigfd)
                // With a terminal, a resize of ours is a resize of the container's.
                if sig == SIGWINCH, let proxy { proxy.resize() } else if sig > 0 { Glibc.kill(created.pid, sig) }
            }
            if let proxy { proxy.pump(Array(fds[2...])) }
            if fds[0].revents != 0 { return try created.waitStatus() }
        }
    }
}
