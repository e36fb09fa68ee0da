import ArgumentParser
import CleoDomain
import CleoStore
import Foundation
import TerminalCanvas
#if canImport(Glibc)
import Glibc
#endif

/// `users list | grant USER ROLE | revoke USER` (roles.md).
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Who may do what: list the roles, grant or revoke one (admins only).",
        discussion: "Roles: support (reads; the default for a user with no row), engineer (sets keys and settings, exports), admin (also grants and revokes).",
        subcommands: [List.self, Grant.self, Revoke.self]
    )
}

extension UsersCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The users with a role (anyone else is support), and who you are.")
        @OptionGroup var location: Location
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try runReporting {
                let database = try location.openForReading()
                let users = try database.users()
                let time = OperatorTime()
                if json {
                    printOut(JSONOut.array(users.map { entry in
                        .object([("user", .string(entry.user)), ("role", .string(entry.role.rawValue)),
                                 ("grantedBy", .string(entry.grantedBy)), ("grantedAt", .string(time.rfc3339(entry.grantedAt)))])
                    }).rendered())
                    return
                }
                let me = Actor.current()
                printOut(TerminalText.sanitized("you: \(me.user) (\(try database.role(of: me.user).rawValue)) from \(me.origin)"))
                for entry in users {
                    printOut(TerminalText.sanitized(TerminalText.padded(entry.user, to: 24) + " " + TerminalText.padded(entry.role.rawValue, to: 9)
                                                    + " granted by \(entry.grantedBy) \(time.short(entry.grantedAt)) (\(time.zoneName))"))
                }
                printOut("anyone else: support")
            }
        }
    }

    struct Grant: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give USER a role (admins only; nobody grants above their own role).")
        @OptionGroup var location: Location
        @Argument(help: "An operating-system user of this host.") var user: String
        @Argument(help: "support, engineer or admin.") var role: String

        func run() throws {
            try runReporting {
                guard let granted = OperatorRole(rawValue: role) else {
                    throw Failure.usage("unknown ROLE \(TerminalText.sanitized(role)); one of: support, engineer, admin")
                }
                // A name with no account would wait for whoever is given that name later.
                guard getpwnam(user) != nil else { throw Failure.data("no user \(TerminalText.sanitized(user)) on this host; nothing was changed") }
                let database = try location.openForChange()
                try database.grant(granted, to: user, actor: .current(), now: .now())
                printOut(TerminalText.sanitized("\(user) is now \(granted.rawValue)"))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take USER's role away: they are support again (admins only).")
        @OptionGroup var location: Location
        @Argument(help: "The user.") var user: String

        func run() throws {
            try runReporting {
                let database = try location.openForChange()
                try database.revoke(user, actor: .current(), now: .now())
                printOut(TerminalText.sanitized("\(user) is now support"))
            }
        }
    }
}

extension Location {
    /// For the commands that change something: an existing database this user may not write
    /// (roles.md: support) is opened read-only, so the store can say why not without trying a
    /// write or creating a file; everything else is opened as `open` does.
    func openForChange() throws -> AppDatabase {
        let path = databasePath
        let directory = (path as NSString).deletingLastPathComponent
        let exists = FileManager.default.fileExists(atPath: path)
        if exists, access(path, W_OK) != 0 || access(directory.isEmpty ? "." : directory, W_OK) != 0 {
            return try openForReading()
        }
        return try open()
    }
}
