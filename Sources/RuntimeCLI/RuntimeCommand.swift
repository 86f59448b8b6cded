import ArgumentParser
import NodeAgent

/// `swiftlet runtime ...`: the OCI runtime CLI, runc-compatible, over the agent's own code.
/// The same verbs are the whole of `swiftlet-runtime`, the small binary that agents and
/// scripts exec per container operation; `swiftlet runtime` forwards to it (RuntimeForwarder),
/// and lists this command only so that `swiftlet --help` and `swiftlet help runtime` show it.
public struct RuntimeCommand: ParsableCommand {
    public static let abstract = "Create and manage OCI containers (runc-compatible commands)."
    public static let verbs: [ParsableCommand.Type] = [
        Create.self, Start.self, State.self, Kill.self, Delete.self, Run.self, Exec.self, List.self, Features.self,
    ]
    public static let configuration = CommandConfiguration(commandName: "runtime", abstract: abstract, subcommands: verbs)
    // Declared here too so `swiftlet runtime --root DIR create ...` parses, as with runc.
    @OptionGroup var options: RuntimeOptions

    public init() {}
}

public struct RuntimeOptions: ParsableArguments {
    @Option(name: .long, help: "Directory for container state.")
    var root: String = ContainerRuntime.defaultRoot

    @Flag(name: .long, help: "Log debug details to stderr.")
    var debug = false

    public init() {}

    func runtime() throws -> ContainerRuntime {
        try RuntimeVerbs.runtime(root: root, debug: debug)
    }
}

extension RuntimeCommand {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a container from a bundle; its program waits for `start`.")
        @OptionGroup var options: RuntimeOptions
        @Option(name: [.short, .long], help: "The bundle directory (config.json and rootfs).")
        var bundle: String = "."
        @Option(name: .customLong("pid-file"), help: "Write init's pid to this file.")
        var pidFile: String?
        @Option(name: .customLong("console-socket"), help: "A unix socket that receives the pty master (process.terminal).")
        var consoleSocket: String?
        @Argument var id: String

        func run() throws {
            try RuntimeVerbs.create(try options.runtime(), id: id, bundle: bundle, pidFile: pidFile, consoleSocket: consoleSocket)
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start the program of a created container.")
        @OptionGroup var options: RuntimeOptions
        @Argument var id: String

        func run() throws {
            try RuntimeVerbs.start(try options.runtime(), id: id)
        }
    }

    struct State: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "state", abstract: "Print a container's state as JSON.")
        @OptionGroup var options: RuntimeOptions
        @Argument var id: String

        func run() throws {
            try RuntimeVerbs.state(try options.runtime(), id: id)
        }
    }

    struct Kill: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal to a container (default TERM).")
        @OptionGroup var options: RuntimeOptions
        @Flag(name: [.short, .long], help: "Signal every process in the container's cgroup.")
        var all = false
        @Argument var id: String
        @Argument var signal: String = "TERM"

        func run() throws {
            try RuntimeVerbs.kill(try options.runtime(), id: id, signal: signal, all: all)
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a container: its processes, cgroup and state.")
        @OptionGroup var options: RuntimeOptions
        @Flag(name: [.short, .long], help: "Kill the container first if it is running.")
        var force = false
        @Argument var id: String

        func run() throws {
            try RuntimeVerbs.delete(try options.runtime(), id: id, force: force)
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Create, start and wait for a container; exit with its status.")
        @OptionGroup var options: RuntimeOptions
        @Option(name: [.short, .long], help: "The bundle directory (config.json and rootfs).")
        var bundle: String = "."
        @Option(name: .customLong("console-socket"), help: "A unix socket that receives the pty master (process.terminal); without it the terminal is relayed to this process's stdio.")
        var consoleSocket: String?
        @Argument var id: String

        func run() throws {
            try RuntimeVerbs.run(try options.runtime(), id: id, bundle: bundle, consoleSocket: consoleSocket)
        }
    }

    struct Exec: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a program inside a running container; exit with its status.")
        @OptionGroup var options: RuntimeOptions
        @Option(name: [.short, .long], help: "Add an environment variable (KEY=VALUE); repeatable.")
        var env: [String] = []
        @Option(name: .long, help: "Working directory inside the container.")
        var cwd: String?
        @Option(name: [.short, .long], help: "UID or UID:GID to run as.")
        var user: String?
        @Argument var id: String
        @Argument(parsing: .captureForPassthrough, help: "The program and its arguments.")
        var command: [String] = []

        func run() throws {
            try RuntimeVerbs.exec(try options.runtime(), id: id, command: command, env: env, cwd: cwd, user: user)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.")
        @OptionGroup var options: RuntimeOptions
        @Option(name: [.short, .long], help: "table or json")
        var format: String = "table"

        func run() throws {
            let rt = try options.runtime()
            let all = try runtimeCall { () throws(RuntimeError) in try rt.list() }
            if format == "json" { try printJSON(all); return }
            print(pad("ID", 24) + pad("PID", 9) + pad("STATUS", 10) + pad("BUNDLE", 40) + "CREATED")
            for c in all {
                print(pad(c.id, 24) + pad(String(c.pid), 9) + pad(c.status.rawValue, 10) + pad(c.bundle, 40) + c.created)
            }
        }

        private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    }

    struct Features: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "features", abstract: "Print what this runtime supports on this host (JSON).")
        @OptionGroup var options: RuntimeOptions

        func run() throws {
            let rt = try options.runtime()
            try printJSON(RuntimeFeatures.current(cgroups: rt.cgroupLayout))
        }
    }
}
