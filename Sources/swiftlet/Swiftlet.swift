import ArgumentParser

@main
struct Swiftlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "A Kubernetes node agent and lightweight control plane.",
        subcommands: [RuntimeCommand.self, ImagesCommand.self, ServerCommand.self, StoreCommand.self]
    )

    static func main() {
        if let invocation = RuntimeFastPath.parse(Array(CommandLine.arguments.dropFirst())) {
            RuntimeFastPath.execute(invocation)
        }
        main(nil)
    }
}
