import ArgumentParser
import CleoDomain
import CleoStore
import Foundation

/// Where data lives (cli.md): options after the subcommand, environment variables everywhere.
struct Location: ParsableArguments {
    @Option(name: .long, help: "The database (env CLEO_CONSOLE_DB; default $XDG_DATA_HOME/cleo-console/console.db).")
    var db: String?

    @Option(name: .long, help: "The webhook events log (env CLEO_CONSOLE_EVENTS; default $XDG_STATE_HOME/cleo-console/webhook-events.jsonl).")
    var events: String?

    @Option(name: .long, help: "The key that seals secrets (env CLEO_CONSOLE_KEY_FILE; default console.key beside the database).")
    var keyFile: String?

    @Option(name: .long, help: "The environment a new database serves: sandbox or production (recorded at creation).")
    var environment: EnvironmentChoice?

    enum EnvironmentChoice: String, ExpressibleByArgument, CaseIterable {
        case sandbox, production
    }

    var env: [String: String] { ProcessInfo.processInfo.environment }

    var databasePath: String {
        if let db { return db }
        if let value = env["CLEO_CONSOLE_DB"], !value.isEmpty { return value }
        return Self.base(env["XDG_DATA_HOME"], fallback: ".local/share") + "/cleo-console/console.db"
    }

    var eventsPath: String {
        if let events { return events }
        if let value = env["CLEO_CONSOLE_EVENTS"], !value.isEmpty { return value }
        return Self.base(env["XDG_STATE_HOME"], fallback: ".local/state") + "/cleo-console/webhook-events.jsonl"
    }

    var keyFilePath: String? {
        if let keyFile { return keyFile }
        if let value = env["CLEO_CONSOLE_KEY_FILE"], !value.isEmpty { return value }
        return nil
    }

    static func base(_ xdg: String?, fallback: String) -> String {
        if let xdg, xdg.hasPrefix("/") { return xdg }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + "/" + fallback
    }

    func open(tuning: AppDatabase.Tuning = .interactive) throws -> AppDatabase {
        do {
            return try AppDatabase.open(path: databasePath, keyFilePath: keyFilePath,
                                        environment: environment.flatMap { ConsoleEnvironment(rawValue: $0.rawValue) }, tuning: tuning)
        } catch let error as StoreError {
            throw Failure.general(error.description)
        } catch {
            throw Failure.general("cannot open the database \(databasePath): \(error)")
        }
    }
}

/// Failures with the exit statuses of cli.md; the message goes to standard error.
enum Failure: Error {
    /// 64: bad usage.
    case usage(String)
    /// 65: bad data (nothing stored).
    case data(String)
    /// 1: anything else, with what to do.
    case general(String)
}

extension Failure {
    var exitCode: Int32 {
        switch self {
        case .usage: 64
        case .data: 65
        case .general: 1
        }
    }

    var message: String {
        switch self {
        case .usage(let m), .data(let m), .general(let m): m
        }
    }
}

/// Runs a command body, mapping failures to their exit status and message.
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as Failure {
        FileHandle.standardError.write(Data(("cleo-console: " + failure.message + "\n").utf8))
        throw ExitCode(failure.exitCode)
    } catch let error as StoreError {
        FileHandle.standardError.write(Data(("cleo-console: " + error.description + "\n").utf8))
        throw ExitCode(1)
    } catch let exit as ExitCode {
        throw exit
    } catch let error as any CustomStringConvertible & Error {
        FileHandle.standardError.write(Data(("cleo-console: " + error.description + "\n").utf8))
        throw ExitCode(1)
    }
}

func printOut(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func printErr(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
