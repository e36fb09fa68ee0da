import ArgumentParser
import CleoDomain
#if canImport(Glibc)
import Glibc
#endif

@main
struct CleoConsole: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleo-console",
        abstract: "Back-office console for the Cleo payment provider (Chile CLP, Peru PEN, Mexico MXN).",
        version: "0.4.0",
        subcommands: [TUICommand.self, ConfigCommand.self, IngestCommand.self, TxCommand.self, EventsCommand.self, DemoCommand.self, ServeCommand.self, UsersCommand.self, CashierCommand.self, DoctorCommand.self],
        defaultSubcommand: TUICommand.self
    )

    /// The argument parser's own `main`, with its output through `StandardOutput` (its `print`
    /// ignores write errors, and help to a full disk would say nothing and exit 0).
    static func main() {
        ProcessHardening.disableCoreDumps()
        StandardOutput.prepare()
        let arguments = TxCommand.List.rewriteArguments(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            try StandardOutput.check()
        } catch let failure as Failure {
            StandardOutput.error("cleo-console: " + failure.message)
            Glibc.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            let text = fullMessage(for: error)
            if !text.isEmpty {
                if code == .success {
                    do { try StandardOutput.write(text) } catch let failure as Failure {
                        StandardOutput.error("cleo-console: " + failure.message)
                        Glibc.exit(failure.exitCode)
                    } catch {}
                } else {
                    StandardOutput.error(text)
                }
            }
            Glibc.exit(code.rawValue)
        }
    }
}
