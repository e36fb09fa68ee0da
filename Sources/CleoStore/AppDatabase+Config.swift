import CleoDomain
import Foundation
import GRDB

extension AppDatabase {
    public func configuration() throws -> StoredConfiguration {
        try dbPool.read { db in try Self.fetchConfiguration(db) }
    }

    /// Validates and stores `changes` together, if the configuration is still at
    /// `expectedVersion` (compare-and-swap: two admins never silently overwrite each other).
    /// Every field's outcome is audited, refusals included. Values are in clear here and are
    /// sealed before they reach the database. In production some changes are proposed instead
    /// (`saveOrPropose`).
    @discardableResult
    public func saveConfiguration(_ changes: [(ConfigField, String)], expectedVersion: Int64?, actor: Actor, now: Timestamp) throws -> StoredConfiguration {
        try saveOrPropose(changes, expectedVersion: expectedVersion, actor: actor, now: now).stored
    }

    /// What a save did: the configuration now, and the changes that wait for a second person.
    public struct SaveOutcome: Sendable {
        public var stored: StoredConfiguration
        public var proposed: [PendingChange]
    }

    /// The one write path of the configuration: the role first (roles.md), then the rules, then
    /// in one transaction each change applied — or, in a `production` database, proposed when
    /// it needs four eyes (`FourEyes`), the old value staying in force until approved.
    ///
    /// `authorization` is a new `webhookAuthorization` saved with them (the Config screen's row),
    /// through `setWebhookAuthorization`'s checks and its one write (`putWebhookAuthorization`).
    public func saveOrPropose(_ changes: [(ConfigField, String)], authorization: String? = nil, expectedVersion: Int64?, actor: Actor,
                              now: Timestamp) throws -> SaveOutcome {
        // The role first (roles.md): a support user's attempt is refused whatever its value.
        for (field, _) in changes { try authorize(actor, .set(field), field: field.rawValue, now: now) }
        if authorization != nil { try authorize(actor, .setWebhookAuthorization, field: WebhookAuthorization.fieldName, now: now) }
        try requireWritable(actor)
        // Validate first: a refused value stores nothing, and is audited (its secret never shown).
        for (field, value) in changes {
            if case .failure(let violation) = ConfigRules.validate(value, for: field) {
                try recordRefusal(field: field, attempted: value, reason: violation.rule, actor: actor, now: now)
                throw violation
            }
        }
        if let authorization { try checkWebhookAuthorization(authorization, actor: actor, now: now) }
        let box = changes.contains { $0.0.isSecret } || authorization != nil ? try secretBox() : nil
        let production = environment == .production
        // A refusal is returned from the transaction, not thrown, so its audit rows are committed.
        let outcome: Result<SaveOutcome, StoreError> = try writeImmediate { db in
            for (field, _) in changes { try Self.requireRole(db, actor, .set(field)) }
            if authorization != nil { try Self.requireRole(db, actor, .setWebhookAuthorization) }
            try Self.expirePending(db, now: now)
            let current = try Self.fetchConfiguration(db)
            if let expectedVersion, expectedVersion != current.version {
                let detail = "changed by \(current.updatedBy ?? "someone") since loaded (version \(expectedVersion) → \(current.version))"
                for (field, value) in changes {
                    // What was attempted, as any refused value is kept (a secret never).
                    try Self.audit(db, actor: actor, now: now, field: field, old: current.display(field),
                                   new: RefusedValue.excerpt(value, for: field), result: .refused, detail: detail)
                }
                if authorization != nil {
                    try Self.audit(db, actor: actor, now: now, field: WebhookAuthorization.fieldName, old: current.webhookAuthorization?.display,
                                   new: RefusedValue.secretNotRecorded, result: .refused, detail: detail)
                }
                return .failure(.configChangedSince(version: current.version, by: current.updatedBy, at: current.updatedAt?.millisecondsSince1970))
            }
            var proposed: [PendingChange] = []
            var applied = false
            for (field, value) in changes {
                if production, FourEyes.needsSecondPerson(field, old: current.display(field), new: value) {
                    proposed.append(try Self.propose(db, field: field, value: value, old: current.display(field), box: box, actor: actor, now: now))
                } else {
                    try Self.apply(db, field: field, value: value, old: current.display(field), box: box, actor: actor, now: now, result: .saved, detail: nil)
                    applied = true
                }
            }
            if let authorization, let box {
                switch try Self.putWebhookAuthorization(db, authorization, box: box, production: production, actor: actor, now: now) {
                case .proposed(let change): proposed.append(change)
                case .saved: applied = true
                }
            }
            if applied { try Self.bumpVersion(db, by: actor.user, now: now) }
            return .success(SaveOutcome(stored: try Self.fetchConfiguration(db), proposed: proposed))
        }
        return try outcome.get()
    }

    /// Stores one validated value (a secret sealed, bound to its column) and audits it. For a
    /// secret, its lifecycle: when, by whom, and the fingerprint of the key it replaces — nothing
    /// else of the previous key is kept.
    static func apply(_ db: Database, field: ConfigField, value: String, old: String?, box: SecretBox?, actor: Actor, now: Timestamp,
                      result: AuditEntry.Result, detail: String?) throws {
        if field.isSecret {
            guard let box else { preconditionFailure("a secret is applied with its box") }
            let column = field.rawValue
            try recordLifecycle(db, column: column, actor: actor, now: now)
            try db.execute(sql: "UPDATE config SET \(column) = ?, \(column)_hint = ?, \(column)_fingerprint = ?, \(column)_setAt = ? WHERE id = 1",
                           arguments: [try box.seal(value, boundTo: column), SecretMask.mask(value), box.fingerprint(value), now.millisecondsSince1970])
            try audit(db, actor: actor, now: now, field: field, old: old, new: box.display(value), result: result, detail: detail)
        } else {
            try db.execute(sql: "UPDATE config SET \(field.rawValue) = ? WHERE id = 1", arguments: [value])
            try audit(db, actor: actor, now: now, field: field, old: old, new: value, result: result, detail: detail)
        }
    }

    static func bumpVersion(_ db: Database, by user: String, now: Timestamp) throws {
        try db.execute(sql: "UPDATE config SET version = version + 1, updatedAt = ?, updatedBy = ? WHERE id = 1",
                       arguments: [now.millisecondsSince1970, user])
    }

    /// Audits a refused value. A refused secret is never recorded, not even masked (it may be a
    /// real key with a typo); any other refused value only as `RefusedValue.excerpt` (bounded,
    /// user-info removed).
    public func recordRefusal(field: ConfigField, attempted: String, reason: String, actor: Actor, now: Timestamp) throws {
        try writeImmediate { db in
            let current = try Self.fetchConfiguration(db)
            try Self.audit(db, actor: actor, now: now, field: field, old: current.display(field),
                           new: RefusedValue.excerpt(attempted, for: field), result: .refused, detail: reason)
        }
    }

    /// The complete configuration in clear, for the platform's connector: refused (and nothing
    /// returned) while incomplete. `deliver` writes it out; the export is audited only once
    /// `deliver` has returned (the bytes are out), so a failed write is never recorded as an export.
    public func exportConfiguration(actor: Actor, now: Timestamp, deliver: (CleoConfiguration) throws -> Void) throws {
        try authorize(actor, .export, field: "(all)", now: now)
        try requireWritable(actor)  // an export that cannot be audited is not made
        let stored = try configuration()
        guard stored.isComplete else { throw ExportRefusal.incomplete(missing: stored.missingNames) }
        let box = try secretBox()
        let (configuration, version) = try dbPool.read { db -> (CleoConfiguration, Int64) in
            var values: [ConfigField: String] = [:]
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM config WHERE id = 1") else { throw ExportRefusal.incomplete(missing: ConfigField.allCases.map(\.rawValue)) }
            for field in ConfigField.allCases {
                if field.isSecret {
                    guard let sealed = row[field.rawValue] as Data? else { throw ExportRefusal.incomplete(missing: [field.rawValue]) }
                    values[field] = try box.open(sealed, boundTo: field.rawValue)
                } else if let value = row[field.rawValue] as String? {
                    values[field] = value
                }
            }
            return (CleoConfiguration(values: values), row["version"] as Int64)
        }
        try deliver(configuration)
        try writeImmediate { db in
            try Self.audit(db, actor: actor, now: now, field: "(all)", old: nil, new: "version \(version)", result: .exported, detail: "config export")
        }
    }

    /// The keyed fingerprint `value` would be stored with (`SecretBox.fingerprint`), so an unsaved
    /// secret is shown as it will be saved; nil while the database has no key file yet (none is
    /// made just to show a fingerprint).
    public func storedFingerprint(of value: String) throws -> String? {
        let hasKey = try dbPool.read { db in try Data.fetchOne(db, sql: "SELECT value FROM meta_blob WHERE key = 'key_check'") } != nil
        return hasKey ? try secretBox().fingerprint(value) : nil
    }

    /// Whether `candidate` is the key set for `field` (nil when none is set), compared in
    /// constant time after opening the sealed value: the answer needs the key file, which
    /// opens every key anyway, so it gives nobody a guessing oracle they did not have.
    public func secretMatches(_ candidate: String, field: ConfigField) throws -> Bool? {
        precondition(field.isSecret)
        guard try configuration().secrets[field] != nil else { return nil }
        let box = try secretBox()
        guard let sealed = try dbPool.read({ db in try Data.fetchOne(db, sql: "SELECT \(field.rawValue) FROM config WHERE id = 1") }) else { return nil }
        let stored = Array(try box.open(sealed, boundTo: field.rawValue).utf8)
        let given = Array(candidate.utf8)
        var difference = UInt8(stored.count == given.count ? 0 : 1)
        for index in 0..<max(stored.count, given.count) {
            difference |= (index < stored.count ? stored[index] : 0) ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }

    /// Values an earlier version sealed bound to nothing (format 1) are sealed again bound to
    /// their column, once (`meta.sealed_bound`); after that an unbound value is refused like a
    /// moved one.
    func bindSealedValues(_ box: SecretBox) throws {
        let done = try dbPool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'sealed_bound'") }
        if done != nil { return }
        try writeImmediate { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM config WHERE id = 1") else { return }
            for field in ConfigField.allCases where field.isSecret {
                guard let sealed = row[field.rawValue] as Data?, (try? box.openBound(sealed, column: field.rawValue)) == nil else { continue }
                guard let secret = try? box.openUnbound(sealed) else { continue }  // refused when opened
                try db.execute(sql: "UPDATE config SET \(field.rawValue) = ? WHERE id = 1", arguments: [try box.seal(secret, boundTo: field.rawValue)])
            }
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('sealed_bound', '1')")
        }
    }

    /// Hints an earlier version kept — unkeyed `sha256:` fingerprints, masks showing half of a
    /// short key — are made again from the keys, once (`meta.fingerprints_keyed`). In the audit
    /// trail a current key's `sha256:` fingerprint becomes its keyed one; any other (a replaced
    /// key's, whose value is gone) becomes `sha256:withheld`.
    func keyFingerprints(_ box: SecretBox) throws {
        let done = try dbPool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'fingerprints_keyed'") }
        if done != nil { return }
        try writeImmediate { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM config WHERE id = 1") else { return }
            var keyed: [String: String] = [:]
            for field in ConfigField.allCases where field.isSecret {
                guard let sealed = row[field.rawValue] as Data?, let secret = try? box.open(sealed, boundTo: field.rawValue) else { continue }
                keyed[SecretMask.fingerprint(secret)] = box.fingerprint(secret)
                try db.execute(sql: "UPDATE config SET \(field.rawValue)_hint = ?, \(field.rawValue)_fingerprint = ? WHERE id = 1",
                               arguments: [SecretMask.mask(secret), box.fingerprint(secret)])
            }
            try db.execute(sql: "PRAGMA secure_delete = ON")
            let secretFields = ConfigField.allCases.filter(\.isSecret).map(\.rawValue)
            let rows = try Row.fetchAll(db, sql: "SELECT id, old, new FROM config_audit WHERE field IN (?, ?, ?)", arguments: StatementArguments(secretFields))
            for audit in rows {
                let old = (audit["old"] as String?).map { Self.replacingUnkeyed($0, with: keyed) }
                let new = (audit["new"] as String?).map { Self.replacingUnkeyed($0, with: keyed) }
                if old != audit["old"] || new != audit["new"] {
                    try db.execute(sql: "UPDATE config_audit SET old = ?, new = ? WHERE id = ?", arguments: [old, new, audit["id"] as Int64])
                }
            }
            try db.execute(sql: "PRAGMA secure_delete = OFF")
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('fingerprints_keyed', '1')")
        }
    }

    /// Every `sha256:` + 8 hex digits in `text`, replaced by its keyed fingerprint or `sha256:withheld`.
    static func replacingUnkeyed(_ text: String, with keyed: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: "sha256:") {
            out += rest[..<range.lowerBound]
            let digits = rest[range.upperBound...].prefix(8)
            if digits.count == 8, digits.allSatisfy(\.isHexDigit) {
                let fingerprint = "sha256:" + digits
                out += keyed[fingerprint] ?? "sha256:withheld"
                rest = rest[digits.endIndex...]
            } else {
                out += "sha256:"
                rest = rest[range.upperBound...]
            }
        }
        return out + rest
    }

    /// The audit trail, oldest first.
    public func auditTrail() throws -> [AuditEntry] {
        try dbPool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM config_audit ORDER BY id").map { row in
                AuditEntry(id: row["id"], at: Timestamp(millisecondsSince1970: row["at"]), user: row["user"], origin: row["origin"],
                           field: row["field"], old: row["old"], new: row["new"], result: AuditEntry.Result(rawValue: row["result"]) ?? .refused,
                           detail: row["detail"])
            }
        }
    }

    static func audit(_ db: Database, actor: Actor, now: Timestamp, field: ConfigField, old: String?, new: String?, result: AuditEntry.Result, detail: String?) throws {
        try audit(db, actor: actor, now: now, field: field.rawValue, old: old, new: new, result: result, detail: detail)
    }

    static func audit(_ db: Database, actor: Actor, now: Timestamp, field: String, old: String?, new: String?, result: AuditEntry.Result, detail: String?) throws {
        try db.execute(sql: "INSERT INTO config_audit(at, user, origin, field, old, new, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       arguments: [now.millisecondsSince1970, actor.user, actor.origin, field, old, new, result.rawValue, detail])
    }

    static func fetchConfiguration(_ db: Database) throws -> StoredConfiguration {
        let row = try Row.fetchOne(db, sql: "SELECT * FROM config WHERE id = 1")!
        var secrets: [ConfigField: StoredConfiguration.SecretHint] = [:]
        var plain: [ConfigField: String] = [:]
        for field in ConfigField.allCases {
            if field.isSecret {
                if let mask = row[field.rawValue + "_hint"] as String?, let fingerprint = row[field.rawValue + "_fingerprint"] as String? {
                    secrets[field] = .init(mask: mask, fingerprint: fingerprint,
                                           setAt: (row[field.rawValue + "_setAt"] as Int64?).map(Timestamp.init(millisecondsSince1970:)))
                }
            } else if let value = row[field.rawValue] as String? {
                plain[field] = value
            }
        }
        return StoredConfiguration(version: row["version"], secrets: secrets, plain: plain,
                                   updatedAt: (row["updatedAt"] as Int64?).map(Timestamp.init(millisecondsSince1970:)), updatedBy: row["updatedBy"],
                                   webhookAuthorization: try webhookAuthorizationHint(db))
    }
}

/// Why `config export` gives nothing.
public enum ExportRefusal: Error, CustomStringConvertible, Equatable {
    /// By name: a field, or `webhookAuthorization` while `isWebhookSecured` is true.
    case incomplete(missing: [String])
    public var description: String {
        switch self {
        case .incomplete(let missing): "the configuration is incomplete; missing: \(missing.joined(separator: ", "))"
        }
    }
}
