import ArgumentParser

@main
struct Swiftlet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlet",
        abstract: "A Kubernetes node agent and lightweight control plane.",
        subcommands: [RuntimeCommand.self]
    )
}
