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

    /// What `setWebhookAuthorization` did: saved (in force now), or proposed (production: it
    /// waits for a second person, the old value staying in force).
    public enum WebhookAuthorizationOutcome: Sendable, Equatable {
        case saved(StoredConfiguration.SecretHint)
        case proposed(PendingChange)
    }

    /// The role first (roles.md: engineer or admin; a refusal is audited where this user can
    /// write), then validates; a refusal stores nothing and is audited without the value. In a
    /// `production` database every change is proposed (roles.md, four eyes), else it is sealed
    /// and stored at once.
    @discardableResult
    public func setWebhookAuthorization(_ value: String, actor: Actor, now: Timestamp) throws -> WebhookAuthorizationOutcome {
        try authorize(actor, .setWebhookAuthorization, field: WebhookAuthorization.fieldName, now: now)
        try requireWritable(actor)
        try checkWebhookAuthorization(value, actor: actor, now: now)
        let box = try secretBox()
        let production = environment == .production
        return try writeImmediate { db in
            try Self.requireRole(db, actor, .setWebhookAuthorization)
            try Self.expirePending(db, now: now)
            let outcome = try Self.putWebhookAuthorization(db, value, box: box, production: production, actor: actor, now: now)
            if case .saved = outcome { try Self.bumpVersion(db, by: actor.user, now: now) }
            return outcome
        }
    }

    /// The rule: a refused value stores nothing and is audited without the value.
    func checkWebhookAuthorization(_ value: String, actor: Actor, now: Timestamp) throws {
        guard let problem = WebhookAuthorization.problem(value) else { return }
        try writeImmediate { db in
            try Self.audit(db, actor: actor, now: now, field: WebhookAuthorization.fieldName, old: try Self.webhookAuthorizationHint(db)?.display,
                           new: "(refused value not recorded)", result: .refused, detail: problem)
        }
        throw WebhookAuthorizationRefusal(rule: problem)
    }

    /// The one write of a checked value (`config set` and the Config screen): in production
    /// proposed (roles.md, four eyes), else sealed and stored (the caller bumps the version).
    static func putWebhookAuthorization(_ db: Database, _ value: String, box: SecretBox, production: Bool, actor: Actor,
                                        now: Timestamp) throws -> WebhookAuthorizationOutcome {
        if production {
            return .proposed(try propose(db, field: .webhookAuthorization, value: value, old: try webhookAuthorizationHint(db)?.display,
                                         box: box, actor: actor, now: now))
        }
        return .saved(try applyWebhookAuthorization(db, value: value, box: box, actor: actor, now: now, result: .saved, detail: nil))
    }

    /// Seals and stores one validated value, bound to its column, and audits it (the caller
    /// bumps the configuration's version: serve reloads on it).
    @discardableResult
    static func applyWebhookAuthorization(_ db: Database, value: String, box: SecretBox, actor: Actor, now: Timestamp,
                                          result: AuditEntry.Result, detail: String?) throws -> StoredConfiguration.SecretHint {
        let hint = StoredConfiguration.SecretHint(mask: SecretMask.mask(value), fingerprint: box.fingerprint(value), setAt: now)
        let old = try webhookAuthorizationHint(db)?.display
        // Its lifecycle, as a key's (roles.md).
        try recordLifecycle(db, column: WebhookAuthorization.fieldName, actor: actor, now: now)
        try db.execute(sql: """
            UPDATE config SET webhookAuthorization = ?, webhookAuthorization_hint = ?, webhookAuthorization_fingerprint = ?, webhookAuthorization_setAt = ?
            WHERE id = 1
            """, arguments: [try box.seal(value, boundTo: WebhookAuthorization.fieldName), hint.mask, hint.fingerprint, now.millisecondsSince1970])
        try audit(db, actor: actor, now: now, field: WebhookAuthorization.fieldName, old: old, new: hint.display, result: result, detail: detail)
        return hint
    }

    /// When the value in force was set, by whom, and the fingerprint of the one it replaced.
    public func webhookAuthorizationLifecycle() throws -> KeyLifecycle? {
        try lifecycles()[WebhookAuthorization.fieldName]
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
