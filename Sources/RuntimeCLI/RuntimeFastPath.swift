import ArgumentParser
import Glibc
import NodeAgent

/// ArgumentParser builds every command's argument set by reflection on each start, which
/// costs more than a container's whole setup. The runtime verbs are run once per container
/// operation by agents and scripts, so their well-formed invocations of `swiftlet-runtime`
/// (its arguments after argv[0]) are parsed here directly; anything else (help, version,
/// unknown or malformed flags) returns nil and goes through ArgumentParser, which owns the help
/// text and the error messages.
public enum RuntimeFastPath {
    enum Verb: Equatable {
        case create(id: String, bundle: String, pidFile: String?, consoleSocket: String?)
        case start(id: String)
        case state(id: String)
        case kill(id: String, signal: String, all: Bool)
        case delete(id: String, force: Bool)
        case run(id: String, bundle: String, consoleSocket: String?)
    }

    public struct Invocation: Equatable {
        var root = ContainerRuntime.defaultRoot
        var debug = false
        var verb: Verb
    }

    public static func parse(_ args: [String]) -> Invocation? {
        var root = ContainerRuntime.defaultRoot, debug = false
        var bundle = ".", pidFile: String?, consoleSocket: String?, all = false, force = false
        var positionals: [String] = []
        var verb: String?
        var i = 0
        // runc accepts the global flags before the verb; we also take them after it.
        while i < args.count {
            let a = args[i]
            func value() -> String? {
                i += 1
                return i < args.count ? args[i] : nil
            }
            switch a {
            case "--root": guard let v = value() else { return nil }; root = v
            case "--debug": debug = true
            case "--bundle", "-b": guard let v = value() else { return nil }; bundle = v
            case "--pid-file": guard let v = value() else { return nil }; pidFile = v
            case "--console-socket": guard let v = value() else { return nil }; consoleSocket = v
            case "--all", "-a": all = true
            case "--force", "-f": force = true
            default:
                if a.hasPrefix("-") { return nil }
                if verb == nil { verb = a } else { positionals.append(a) }
            }
            i += 1
        }
        guard let verb, let id = positionals.first else { return nil }
        let extra = positionals.count - 1
        let parsed: Verb
        switch verb {
        case "create" where extra == 0 && !all && !force:
            parsed = .create(id: id, bundle: bundle, pidFile: pidFile, consoleSocket: consoleSocket)
        case _ where verb != "create" && verb != "run" && consoleSocket != nil: return nil
        case "start" where extra == 0 && bundle == "." && pidFile == nil && !all && !force: parsed = .start(id: id)
        case "state" where extra == 0 && bundle == "." && pidFile == nil && !all && !force: parsed = .state(id: id)
        case "kill" where extra <= 1 && bundle == "." && pidFile == nil && !force:
            parsed = .kill(id: id, signal: extra == 1 ? positionals[1] : "TERM", all: all)
        case "delete" where extra == 0 && bundle == "." && pidFile == nil && !all: parsed = .delete(id: id, force: force)
        case "run" where extra == 0 && pidFile == nil && !all && !force: parsed = .run(id: id, bundle: bundle, consoleSocket: consoleSocket)
        default: return nil
        }
        return Invocation(root: root, debug: debug, verb: parsed)
    }

    /// Runs the verb and exits the process the way ArgumentParser's main would.
    public static func execute(_ inv: Invocation) -> Never {
        do {
            let rt = try RuntimeVerbs.runtime(root: inv.root, debug: inv.debug)
            switch inv.verb {
            case .create(let id, let bundle, let pidFile, let socket):
                try RuntimeVerbs.create(rt, id: id, bundle: bundle, pidFile: pidFile, consoleSocket: socket)
            case .start(let id): try RuntimeVerbs.start(rt, id: id)
            case .state(let id): try RuntimeVerbs.state(rt, id: id)
            case .kill(let id, let signal, let all): try RuntimeVerbs.kill(rt, id: id, signal: signal, all: all)
            case .delete(let id, let force): try RuntimeVerbs.delete(rt, id: id, force: force)
            case .run(let id, let bundle, let socket): try RuntimeVerbs.run(rt, id: id, bundle: bundle, consoleSocket: socket)
            }
        } catch let code as ExitCode {
            // `run` ends here with the container's status: no need for ArgumentParser's
            // error machinery, which would cost a good share of a container's start.
            Glibc.exit(code.rawValue)
        } catch {
            RuntimeCommand.exit(withError: error)
        }
        Glibc.exit(0)
    }
}
