import ArgumentParser
import CleoDomain
import CleoStore
import ConsoleRuntime
import ConsoleUI
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct TUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tui", abstract: "Open the console (the default).")
    @OptionGroup var location: Location

    func run() throws {
        try runReporting {
            guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
                throw Failure.usage("the console needs a terminal; for scripts use the subcommands (cleo-console --help)")
            }
            // A database this user may only read opens read-only: a working console, no write tried.
            let database = try location.openForChange()
            let actor = Actor.current()
            let zone = TimeZone.current
            let session = Session(environment: database.environment.rawValue, user: actor.user, origin: actor.origin,
                                  zoneName: zone.identifier, offsetSeconds: zone.secondsFromGMT(), databasePath: database.path,
                                  role: try database.role(of: actor.user),
                                  readOnlyReason: database.isReadOnly ? "\(actor.user) may not write the database" : nil,
                                  hasCompanyToken: ProcessInfo.processInfo.environment["CLEO_CONSOLE_TOKEN_FILE"].map { !$0.isEmpty } ?? false)
            try ConsoleApp(database: database, eventsPath: location.eventsPath, session: session, actor: actor).run()
        }
    }
}
