import CSystem
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

        let created = try create(plan: plan, io: io)
        do {
            try start(id: id)
        } catch {
            try? delete(id: id, force: true)
            throw error
        }
        let waitStatus: Int32
        do {
            waitStatus = try wait(created, forwardingFrom: sigfd)
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

    private func wait(_ created: CreatedContainer, forwardingFrom sigfd: Int32) throws(Errno) -> Int32 {
        if sigfd < 0 { return try created.waitStatus() }
        var fds = [pollfd(fd: created.exitNotificationFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: sigfd, events: Int16(POLLIN), revents: 0)]
        while true {
            let n = poll(&fds, 2, -1)
            if n < 0 { if errno == EINTR { continue }; throw Errno(errno) }
            if fds[1].revents & Int16(POLLIN) != 0 {
                let sig = swl_forward_signals_read(sigfd)
                if sig > 0 { Glibc.kill(created.pid, sig) }
            }
            if fds[0].revents != 0 { return try created.waitStatus() }
        }
    }
}
