import ArgumentParser
import CleoDomain
import CleoStore
import Foundation
import TerminalCanvas

/// Four eyes in production (roles.md): `config pending | approve ID | reject ID`.
extension ConfigCommand {
    struct Pending: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The changes that wait for a second person (production), with what they change (secrets masked).")
        @OptionGroup var location: Location
        @Flag(help: "JSON for scripts.") var json = false

        func run() throws {
            try runReporting {
                let database = try location.openForReading()
                let now = Timestamp.now()
                try database.expirePendingChanges(now: now)
                let changes = try database.pendingChanges(now: now)
                let time = OperatorTime()
                if json {
                    printOut(JSONOut.array(changes.map { change in
                        .object([
                            ("id", .number(String(change.id))), ("field", .string(change.field.rawValue)),
                            ("proposedBy", .string(change.proposedBy)), ("proposedAt", .string(time.rfc3339(change.proposedAt))),
                            ("expiresAt", .string(time.rfc3339(change.expiresAt))), ("old", .optional(change.old)), ("new", .string(change.new)),
                        ])
                    }).rendered())
                    return
                }
                if changes.isEmpty { printOut("no changes wait for approval"); return }
                printOut("times in \(time.zoneName)")
                for change in changes { printOut(TerminalText.sanitized(Self.line(change, time: time))) }
            }
        }

        static func line(_ change: PendingChange, time: OperatorTime) -> String {
            "#\(change.id)  \(change.field.rawValue)  \(change.old ?? "(unset)") → \(change.new)  proposed by \(change.proposedBy)@\(change.proposedFrom) "
                + "\(time.short(change.proposedAt)), expires \(time.short(change.expiresAt))"
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a pending change (an engineer or admin other than its proposer); it takes effect now.")
        @OptionGroup var location: Location
        @Argument(help: "The change's ID (config pending).") var id: Int64

        func run() throws { try ConfigCommand.decide(.approve, id: id, location: location) }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a pending change (an engineer or admin other than its proposer); the old value stays.")
        @OptionGroup var location: Location
        @Argument(help: "The change's ID (config pending).") var id: Int64

        func run() throws { try ConfigCommand.decide(.reject, id: id, location: location) }
    }

    static func decide(_ decision: AppDatabase.Decision, id: Int64, location: Location) throws {
        try runReporting {
            let database = try location.openForChange()
            do {
                let change = try database.decide(decision, id: id, actor: .current(), now: .now())
                let outcome = decision == .approve ? "approved: now in force" : "rejected: the old value stays"
                printOut(TerminalText.sanitized("#\(change.id) \(change.field.rawValue) \(change.old ?? "(unset)") → \(change.new) (proposed by \(change.proposedBy)) \(outcome)"))
            } catch let refusal as PendingRefusal {
                throw Failure.data(refusal.description)
            }
        }
    }
}
