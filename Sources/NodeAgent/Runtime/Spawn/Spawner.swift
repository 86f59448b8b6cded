import SwiftletCSystem
import FoundationEssentials
import Glibc

/// A container whose init exists and waits for `start`. Holds the pipe on which the monitor
/// reports init's exit, so the creator (the agent, or `runtime run`) learns of it at once;
/// others read the exit file the monitor leaves in the state directory.
public final class CreatedContainer: @unchecked Sendable {
    public let id: String
    public let pid: Int32
    private var spawn: swl_spawn

    init(id: String, spawn: swl_spawn) {
        self.id = id
        self.pid = spawn.pid
        self.spawn = spawn
    }

    deinit {
        swl_spawn_release(&spawn)
        // An exited monitor is reaped now; a running one is reaped by `delete` or by init
        // once this process exits.
        _ = swl_try_reap(spawn.monitor_pid)
    }

    /// The monitor process that waits for init (a child of this process).
    public var monitorPid: Int32 { spawn.monitor_pid }

    /// The descriptor that becomes readable when init exits (for poll loops).
    public var exitNotificationFD: Int32 { spawn.status_fd }

    /// Blocks until the monitor itself has exited (its pipe closes), after init's exit.
    public func waitForMonitorExit() {
        while swl_spawn_wait(&spawn) >= 0 {}
        _ = swl_reap(spawn.monitor_pid)
    }

    /// Blocks until init exits; returns its wait status.
    public func waitStatus() throws(Errno) -> Int32 {
        let rc = swl_spawn_wait(&spawn)
        if rc < 0 { throw Errno(-rc) }
        return rc
    }
}

/// Drives the C spawn path: begin, answer the hook pause, wait for READY or an error.
enum Spawner {
    /// Called at the hook pause with init's pid; returns the state JSON for in-container hooks.
    typealias HookPause = (_ pid: Int32) throws(RuntimeError) -> Data

    static let stateCapacity = 64 * 1024

    static func spawn(plan: ContainerPlan, io: ContainerIO, cgroup: CgroupSpawnTargets, files: StateFiles,
                      onHookPause: HookPause) throws(RuntimeError) -> CreatedContainer {
        let arena = CArena()
        var desc = plan.cDescription(arena: arena, io: io, cgroup: cgroup, files: files, stateCapacity: stateCapacity)
        var handle = swl_spawn()
        var step = [CChar](repeating: 0, count: Int(SWL_STEP_MAX))
        let rc = swl_spawn_begin(&desc, &handle, &step)
        if rc < 0 {
            throw .step(id: plan.id, operation: "create", step: cString(step), errno: Errno(-rc))
        }
        let created = CreatedContainer(id: plan.id, spawn: handle)
        do throws(RuntimeError) {
            try converse(&handle, plan: plan, onHookPause: onHookPause)
        } catch {
            swl_spawn_close_sync(&handle)
            kill(created.pid, SIGKILL)
            // The monitor's exit tells us init and everything it made is gone; reaping it
            // leaves no zombie behind a failed create.
            created.waitForMonitorExit()
            throw error
        }
        swl_spawn_close_sync(&handle)
        withExtendedLifetime(arena) {}
        return created
    }

    private static func converse(_ handle: inout swl_spawn, plan: ContainerPlan, onHookPause: HookPause) throws(RuntimeError) {
        while true {
            var msg = swl_msg()
            let rc = swl_spawn_next(&handle, &msg)
            if rc == -EPIPE {
                throw .failed(id: plan.id, operation: "create", reason: "container init exited during setup")
            }
            if rc == -ETIMEDOUT {
                throw .failed(id: plan.id, operation: "create", reason: "container init did not finish setup within \(SWL_INIT_SILENCE_SECONDS)s")
            }
            if rc < 0 { throw .step(id: plan.id, operation: "create", step: "read from init", errno: Errno(-rc)) }
            switch Int32(msg.type) {
            case Int32(SWL_MSG_READY.rawValue):
                return
            case Int32(SWL_MSG_ERROR.rawValue):
                let step = withUnsafeBytes(of: msg.step) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                throw .step(id: plan.id, operation: "create", step: step, errno: Errno(msg.err))
            case Int32(SWL_MSG_HOOKS.rawValue):
                let state: Data
                do {
                    state = try onHookPause(handle.pid)
                } catch {
                    _ = swl_spawn_reply(&handle, 0, nil, 0)
                    throw error
                }
                let sent = state.withUnsafeBytes { raw in
                    swl_spawn_reply(&handle, 1, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
                }
                if sent < 0 { throw .step(id: plan.id, operation: "create", step: "send state to init", errno: Errno(-sent)) }
            default:
                throw .failed(id: plan.id, operation: "create", reason: "unexpected message \(msg.type) from init")
            }
        }
    }
}
