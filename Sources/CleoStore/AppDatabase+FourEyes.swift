import CleoDomain
import Foundation
import GRDB

/// Why a pending change cannot be decided (cli.md exit 65: the ID names nothing waiting).
public enum PendingRefusal: Error, CustomStringConvertible, Sendable, Equatable {
    case unknown(id: Int64)
    case decided(id: Int64, state: String)

    public var description: String {
        switch self {
        case .unknown(let id): "no pending change #\(id) (config pending lists them); nothing was changed"
        case .decided(let id, let state): "the change #\(id) is \(state), no longer pending; nothing was changed"
        }
    }
}

extension AppDatabase {
    /// The changes that wait, oldest first (expired ones left out even before they are marked).
    public func pendingChanges(now: Timestamp) throws -> [PendingChange] {
        try dbPool.read { db in
            guard try db.tableExists("pending_change") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM pending_change WHERE state = 'pending' AND expiresAt > ? ORDER BY id",
                                    arguments: [now.millisecondsSince1970]).compactMap(Self.pendingChange)
        }
    }

    static func pendingChange(_ row: Row) -> PendingChange? {
        guard let field = PendingField(rawValue: row["field"]) else { return nil }
        return PendingChange(id: row["id"], field: field, proposedBy: row["proposedBy"], proposedFrom: row["proposedFrom"],
                             proposedAt: Timestamp(millisecondsSince1970: row["proposedAt"]), expiresAt: Timestamp(millisecondsSince1970: row["expiresAt"]),
                             old: row["old"], new: row["new"], state: PendingChange.State(rawValue: row["state"]) ?? .pending)
    }

    /// One of the six fields' proposals (`saveOrPropose`).
    static func propose(_ db: Database, field: ConfigField, value: String, old: String?, box: SecretBox?, actor: Actor, now: Timestamp) throws -> PendingChange {
        try propose(db, field: .config(field), value: value, old: old, box: box, actor: actor, now: now)
    }

    /// Records `value` for `field` as a proposal (audited as `proposed`); the configuration is untouched.
    static func propose(_ db: Database, field: PendingField, value: String, old: String?, box: SecretBox?, actor: Actor, now: Timestamp) throws -> PendingChange {
        let sealed = try field.isSecret ? box.map { try $0.seal(value, boundTo: "pending." + field.rawValue) } : nil
        let shown = field.isSecret ? (box?.display(value) ?? SecretMask.mask(value)) : value
        let expires = now.adding(milliseconds: FourEyes.expiryMilliseconds)
        try db.execute(sql: """
            INSERT INTO pending_change(field, sealed, value, old, new, proposedBy, proposedFrom, proposedAt, expiresAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [field.rawValue, sealed, field.isSecret ? nil : value, old, shown, actor.user, actor.origin,
                             now.millisecondsSince1970, expires.millisecondsSince1970])
        let id = db.lastInsertedRowID
        try audit(db, actor: actor, now: now, field: field.rawValue, old: old, new: shown, result: .proposed,
                  detail: "change #\(id) waits for a second person (config approve \(id)); the old value stays in force")
        return PendingChange(id: id, field: field, proposedBy: actor.user, proposedFrom: actor.origin, proposedAt: now, expiresAt: expires,
                             old: old, new: shown, state: .pending)
    }

    /// Marks proposals older than 24 hours expired, each audited, their sealed values dropped.
    static func expirePending(_ db: Database, now: Timestamp) throws {
        guard try db.tableExists("pending_change") else { return }
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM pending_change WHERE state = 'pending' AND expiresAt <= ?", arguments: [now.millisecondsSince1970])
        for row in rows {
            guard let change = pendingChange(row) else { continue }
            try db.execute(sql: "UPDATE pending_change SET state = 'expired', sealed = NULL, decidedAt = ? WHERE id = ?",
                           arguments: [now.millisecondsSince1970, change.id])
            try audit(db, actor: Actor(user: change.proposedBy, origin: change.proposedFrom), now: now, field: change.field.rawValue, old: change.old,
                      new: change.new, result: .expired, detail: "change #\(change.id) expired unapproved after 24 hours")
        }
    }

    /// Marks expired proposals where this process may write (a read-only reader just leaves them out).
    public func expirePendingChanges(now: Timestamp) throws {
        guard !isReadOnly else { return }
        try writeImmediate { db in try Self.expirePending(db, now: now) }
    }

    public enum Decision: String, Sendable { case approve, reject }

    /// Approves (applies, audited `approved`) or rejects (audited `rejected`) a pending change:
    /// an engineer or admin, never its proposer (refused and audited). Returns the change decided.
    @discardableResult
    public func decide(_ decision: Decision, id: Int64, actor: Actor, now: Timestamp) throws -> PendingChange {
        let field = "change #\(id)"
        try authorize(actor, .decide, field: field, now: now)
        try requireWritable(actor)
        let isSecret = try dbPool.read { db in
            try String.fetchOne(db, sql: "SELECT field FROM pending_change WHERE id = ?", arguments: [id]).flatMap(PendingField.init(rawValue:))?.isSecret
        }
        let box = decision == .approve && isSecret == true ? try secretBox() : nil
        // Refusals are returned, not thrown, so what was written on the way (an expiry, the refusal's
        // audit row) is committed.
        let outcome: Result<PendingChange, any Error> = try writeImmediate { db in
            try Self.requireRole(db, actor, .decide)
            try Self.expirePending(db, now: now)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM pending_change WHERE id = ?", arguments: [id]),
                  var change = Self.pendingChange(row) else { return .failure(PendingRefusal.unknown(id: id)) }
            guard change.state == .pending else { return .failure(PendingRefusal.decided(id: id, state: change.state.rawValue)) }
            guard !change.proposedBy.sameBytes(as: actor.user) else {
                let reason = "may not \(decision.rawValue) their own change #\(id): it needs a second person"
                try Self.audit(db, actor: actor, now: now, field: change.field.rawValue, old: change.old, new: change.new, result: .refused, detail: reason)
                return .failure(PermissionRefusal.role(user: actor.user, role: try Self.role(db, of: actor.user), reason: reason, recorded: true))
            }
            if decision == .approve {
                let value: String
                if change.field.isSecret {
                    guard let box, let sealed = row["sealed"] as Data? else { throw PendingRefusal.unknown(id: id) }
                    value = try box.open(sealed, boundTo: "pending." + change.field.rawValue)
                } else {
                    value = row["value"] ?? ""
                }
                let detail = "change #\(id) proposed by \(change.proposedBy); now in force"
                switch change.field {
                case .config(let field):
                    try Self.apply(db, field: field, value: value, old: try Self.fetchConfiguration(db).display(field), box: box, actor: actor, now: now,
                                   result: .approved, detail: detail)
                case .webhookAuthorization:
                    guard let box else { throw PendingRefusal.unknown(id: id) }
                    try Self.applyWebhookAuthorization(db, value: value, box: box, actor: actor, now: now, result: .approved, detail: detail)
                }
                try Self.bumpVersion(db, by: change.proposedBy, now: now)
            } else {
                try Self.audit(db, actor: actor, now: now, field: change.field.rawValue, old: change.old, new: change.new, result: .rejected,
                               detail: "change #\(id) proposed by \(change.proposedBy); the old value stays")
            }
            change.state = decision == .approve ? .approved : .rejected
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "UPDATE pending_change SET state = ?, sealed = NULL, decidedBy = ?, decidedAt = ? WHERE id = ?",
                           arguments: [change.state.rawValue, actor.user, now.millisecondsSince1970, id])
            try db.execute(sql: "PRAGMA secure_delete = OFF")
            return .success(change)
        }
        return try outcome.get()
    }
}

/// When a secret was set, by whom and from where, and the fingerprint of the one it replaced.
public struct KeyLifecycle: Sendable, Equatable {
    public var setAt: Timestamp
    public var setBy: String
    public var setFrom: String
    public var previousFingerprint: String?
}

extension AppDatabase {
    public func keyLifecycle() throws -> [ConfigField: KeyLifecycle] {
        var out: [ConfigField: KeyLifecycle] = [:]
        for (name, life) in try lifecycles() {
            if let field = ConfigField(rawValue: name) { out[field] = life }
        }
        return out
    }

    /// Every secret's lifecycle row, by field name (a key, or `webhookAuthorization`).
    func lifecycles() throws -> [String: KeyLifecycle] {
        try dbPool.read { db in
            guard try db.tableExists("key_lifecycle") else { return [:] }
            var out: [String: KeyLifecycle] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM key_lifecycle") {
                out[row["field"]] = KeyLifecycle(setAt: Timestamp(millisecondsSince1970: row["setAt"]), setBy: row["setBy"], setFrom: row["setFrom"],
                                                 previousFingerprint: row["previousFingerprint"])
            }
            return out
        }
    }

    /// A secret column set now: when, by whom, from where, and the fingerprint it replaces —
    /// nothing else of the previous value (roles.md, "Key lifecycle"). Before the new value is stored.
    static func recordLifecycle(_ db: Database, column: String, actor: Actor, now: Timestamp) throws {
        let previous = try String.fetchOne(db, sql: "SELECT \(column)_fingerprint FROM config WHERE id = 1")
        try db.execute(sql: "INSERT OR REPLACE INTO key_lifecycle(field, setAt, setBy, setFrom, previousFingerprint) VALUES (?, ?, ?, ?, ?)",
                       arguments: [column, now.millisecondsSince1970, actor.user, actor.origin, previous])
    }
}
