import CleoDomain
import Foundation
import GRDB

/// `webhookAuthorization`, sealed in the config row's own columns (named like the keys' so a
/// later promotion to a `ConfigField` finds them), audited like every configuration change.
extension AppDatabase {
    static func registerWebhookAuthorizationColumns(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE config ADD COLUMN webhookAuthorization BLOB;
            ALTER TABLE config ADD COLUMN webhookAuthorization_hint TEXT;
            ALTER TABLE config ADD COLUMN webhookAuthorization_fingerprint TEXT;
            ALTER TABLE config ADD COLUMN webhookAuthorization_setAt INTEGER;
            """)
    }

    /// The role first (roles.md: engineer or admin; a refusal is audited where this user can
    /// write), then validates, seals and stores the value; a refusal stores nothing and is
    /// audited without it.
    @discardableResult
    public func setWebhookAuthorization(_ value: String, actor: Actor, now: Timestamp) throws -> StoredConfiguration.SecretHint {
        let field = WebhookAuthorization.fieldName
        try authorize(actor, .setWebhookAuthorization, field: field, now: now)
        try requireWritable(actor)
        if let problem = WebhookAuthorization.problem(value) {
            try writeImmediate { db in
                try Self.audit(db, actor: actor, now: now, field: field, old: try Self.webhookAuthorizationHint(db)?.display, new: "(refused value not recorded)",
                               result: .refused, detail: problem)
            }
            throw WebhookAuthorizationRefusal(rule: problem)
        }
        let box = try secretBox()
        let hint = StoredConfiguration.SecretHint(mask: SecretMask.mask(value), fingerprint: box.fingerprint(value), setAt: now)
        return try writeImmediate { db in
            try Self.requireRole(db, actor, .setWebhookAuthorization)
            let old = try Self.webhookAuthorizationHint(db)?.display
            try db.execute(sql: """
                UPDATE config SET webhookAuthorization = ?, webhookAuthorization_hint = ?, webhookAuthorization_fingerprint = ?, webhookAuthorization_setAt = ?,
                    version = version + 1, updatedAt = ?, updatedBy = ? WHERE id = 1
                """, arguments: [try box.seal(value, boundTo: WebhookAuthorization.fieldName), hint.mask, hint.fingerprint, now.millisecondsSince1970, now.millisecondsSince1970, actor.user])
            try Self.audit(db, actor: actor, now: now, field: field, old: old, new: hint.display, result: .saved, detail: nil)
            return hint
        }
    }

    /// The mask, fingerprint and age of the value; nil when unset.
    public func webhookAuthorizationHint() throws -> StoredConfiguration.SecretHint? {
        try dbPool.read { db in try Self.webhookAuthorizationHint(db) }
    }

    /// The value in clear, for `serve` alone; nil when unset. Never logged, never exported.
    public func webhookAuthorization() throws -> String? {
        let sealed = try dbPool.read { db in try Data.fetchOne(db, sql: "SELECT webhookAuthorization FROM config WHERE id = 1") }
        guard let sealed else { return nil }
        return try secretBox().open(sealed, boundTo: WebhookAuthorization.fieldName)
    }

    static func webhookAuthorizationHint(_ db: Database) throws -> StoredConfiguration.SecretHint? {
        guard let row = try Row.fetchOne(db, sql: "SELECT webhookAuthorization_hint, webhookAuthorization_fingerprint, webhookAuthorization_setAt FROM config WHERE id = 1"),
              let mask = row[0] as String?, let fingerprint = row[1] as String? else { return nil }
        return .init(mask: mask, fingerprint: fingerprint, setAt: (row[2] as Int64?).map(Timestamp.init(millisecondsSince1970:)))
    }
}

/// A `webhookAuthorization` value its rule refused (the value itself is never repeated).
public struct WebhookAuthorizationRefusal: Error, CustomStringConvertible {
    public let rule: String
    public var description: String { "\(WebhookAuthorization.fieldName): \(rule)" }
}

extension StoredConfiguration.SecretHint {
    /// What the screens and the audit show: mask and fingerprint.
    public var display: String { mask + " " + fingerprint }
}
