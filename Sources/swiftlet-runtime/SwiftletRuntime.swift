import ArgumentParser
import RuntimeCLI

/// `swiftlet-runtime`: the OCI runtime CLI alone (runc-compatible verbs), linked against the node
/// agent's runtime only, so that each container operation starts a small binary. `swiftlet
/// runtime` forwards here. The verbs and their flags are RuntimeCLI's, shared with `swiftlet`.
@main
struct SwiftletRuntime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: RuntimeForwarder.binaryName,
        abstract: RuntimeCommand.abstract,
        subcommands: RuntimeCommand.verbs
    )
    // As with runc, the global flags may come before the verb: `swiftlet-runtime --root DIR create ...`.
    @OptionGroup var options: RuntimeOptions

    static func main() {
        if let invocation = RuntimeFastPath.parse(Array(CommandLine.arguments.dropFirst())) {
            RuntimeFastPath.execute(invocation)
        }
        main(nil)
    }
}
