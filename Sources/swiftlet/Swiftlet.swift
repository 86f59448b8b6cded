import ArgumentParser
import RuntimeCLI

@main
struct Swiftlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "A Kubernetes node agent and lightweight control plane.",
        subcommands: [RuntimeCommand.self, ImagesCommand.self, ServerCommand.self, StoreCommand.self]
    )

    static func main() {
        // The runtime verbs run in the small sibling binary; RuntimeCommand stays listed above
        // only for `swiftlet --help` and `swiftlet help runtime`.
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "runtime" {
            RuntimeForwarder.exec(arguments: Array(arguments.dropFirst()))
        }
        main(nil)
    }
}
