import ArgumentParser
import CleoDomain

@main
struct CleoConsole: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleo-console",
        abstract: "Back-office console for the Cleo payment provider (Chile CLP, Peru PEN, Mexico MXN)."
    )
}
