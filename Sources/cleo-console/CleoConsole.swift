import ArgumentParser
import CleoDomain

@main
struct CleoConsole: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleo-console",
        abstract: "Back-office console for the Cleo payment provider (Chile CLP, Peru PEN, Mexico MXN).",
        version: "0.4.0",
        subcommands: [TUICommand.self, ConfigCommand.self, IngestCommand.self, TxCommand.self, EventsCommand.self, DemoCommand.self, ServeCommand.self],
        defaultSubcommand: TUICommand.self
    )

    static func main() {
        let arguments = TxCommand.List.rewriteArguments(Array(CommandLine.arguments.dropFirst()))
        main(arguments)
    }
}
