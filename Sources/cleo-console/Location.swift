import ArgumentParser
import CleoDomain
import CleoStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// Opens the database for any command (creating and migrating it as needed).
    func open(tuning: AppDatabase.Tuning = .interactive) throws -> AppDatabase {
        try opening {
            try AppDatabase.open(path: databasePath, keyFilePath: keyFilePath,
                                 environment: environment.flatMap { ConsoleEnvironment(rawValue: $0.rawValue) }, tuning: tuning)
        }
    }

    /// For the read commands: an existing database is opened read-only (no migration, no lock
    /// file, nothing written — GRDB's own setup writes when the WAL is empty — so a read never
    /// waits for another process's write lock, and a user who may only read it can). Only a
    /// database that needs a migration, or cannot be read that way, is opened as `open` does,
    /// and only by a user who may write it.
    func openForReading() throws -> AppDatabase {
        let path = databasePath
        guard FileManager.default.fileExists(atPath: path) else { return try open() }
        let writable = access(path, W_OK) == 0
        return try opening {
            do {
                return try AppDatabase.openReadOnly(path: path, keyFilePath: keyFilePath)
            } catch let refusal as OpenRefusal {
                guard writable, refusal == .needsUpgrade(path: path) else { throw refusal }
            } catch {
                guard writable else { throw error }
            }
            return try AppDatabase.open(path: path, keyFilePath: keyFilePath,
                                        environment: environment.flatMap { ConsoleEnvironment(rawValue: $0.rawValue) })
        }
    }

    private func opening(_ body: () throws -> AppDatabase) throws -> AppDatabase {
        let database: AppDatabase
        do {
            database = try body()
        } catch let error as StoreError {
            throw Failure.general(error.description)
        } catch let refusal as OpenRefusal {
            if case .missing = refusal { throw Failure.missing(refusal.description) }
            throw Failure.general(refusal.description)
        } catch {
            throw Failure.general("cannot open the database \(databasePath): \(error)")
        }
        for warning in database.exposureWarnings() { printErr(warning) }
        return database
    }
}

/// Failures with the exit statuses of cli.md; the message goes to standard error.
enum Failure: Error {
    /// 64: bad usage.
    case usage(String)
    /// 65: bad data (nothing stored).
    case data(String)
    /// 66: a database or file a read command needs does not exist.
    case missing(String)
    /// 74: standard output or a file could not be written (nothing recorded as done).
    case output(String)
    /// 77: the role (roles.md) or the operating system forbids it; the reason is said.
    case notPermitted(String)
    /// 1: anything else, with what to do.
    case general(String)
}

extension Failure {
    var exitCode: Int32 {
        switch self {
        case .usage: 64
        case .data: 65
        case .missing: 66
        case .output: 74
        case .notPermitted: 77
        case .general: 1
        }
    }

    var message: String {
        switch self {
        case .usage(let m), .data(let m), .missing(let m), .output(let m), .notPermitted(let m), .general(let m): m
        }
    }
}

/// Runs a command body, mapping failures to their exit status and message. A command whose
/// standard output failed on the way fails with 74, whatever its body returned. Messages are
/// sanitised on their way to standard error (`StandardOutput.error`).
func runReporting(_ body: () throws -> Void) throws {
    do {
        do {
            try body()
        } catch let refusal as PermissionRefusal {
            throw Failure.notPermitted(refusal.description)
        }
        try StandardOutput.check()
    } catch let failure as Failure {
        StandardOutput.error("cleo-console: " + failure.message)
        throw ExitCode(failure.exitCode)
    } catch let exit as ExitCode {
        throw exit
    } catch let error as any CustomStringConvertible & Error {
        StandardOutput.error("cleo-console: " + error.description)
        throw ExitCode(StandardOutput.hasFailed ? 74 : 1)
    }
}
