import CleoDomain
import Foundation
import GRDB

extension AppDatabase {
    /// A secret in clear for the screen — a regional key or `webhookAuthorization` (roles.md:
    /// admin only, audited as `viewed` — the row has the field and who, never the value).
    /// Refused (and audited where the user can write) for any other role; not revealed when the
    /// viewing cannot be recorded.
    public func revealSecret(_ field: PendingField, actor: Actor, now: Timestamp) throws -> String? {
        precondition(field.isSecret)
        try authorize(actor, .reveal, field: field.rawValue, now: now)
        try requireWritable(actor)  // a reveal that cannot be audited is not made
        // The column is named as the field (the sealed value is bound to that name).
        guard let sealed = try dbPool.read({ db in try Data.fetchOne(db, sql: "SELECT \(field.rawValue) FROM config WHERE id = 1") }) else { return nil }
        let box = try secretBox()
        let value = try box.open(sealed, boundTo: field.rawValue)
        // Recorded before it is handed out: a value is never shown unaudited.
        try writeImmediate { db in
            try Self.requireRole(db, actor, .reveal)
            try Self.audit(db, actor: actor, now: now, field: field.rawValue, old: try Self.fetchConfiguration(db).hint(field)?.display, new: nil, result: .viewed, detail: "revealed on screen (at most 10 s)")
        }
        return value
    }
}
