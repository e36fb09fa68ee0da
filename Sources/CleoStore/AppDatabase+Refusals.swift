import CleoDomain
import Foundation
import GRDB

extension AppDatabase {
    /// At most this much of a refused body is kept.
    public static let refusedRawLimit = 65_536

    static func registerServeMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-serve") { db in
            try db.execute(sql: """
                CREATE TABLE refused_delivery (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL, remote TEXT NOT NULL, status INTEGER NOT NULL, reason TEXT NOT NULL,
                    raw BLOB, raw_length INTEGER NOT NULL
                );
                CREATE INDEX refused_delivery_at ON refused_delivery(at);
                """)
            try registerWebhookAuthorizationColumns(db)
        }
    }

    /// Keeps refusals in one transaction (a flood of them costs one commit per batch, not per request).
    public func recordRefusedDeliveries(_ refusals: [RefusedDelivery]) throws {
        guard !refusals.isEmpty else { return }
        try writeImmediate { db in
            for refusal in refusals {
                let raw = refusal.raw.map { Data($0.prefix(Self.refusedRawLimit)) }
                try db.execute(sql: "INSERT INTO refused_delivery(at, remote, status, reason, raw, raw_length) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [refusal.at.millisecondsSince1970, refusal.remote, refusal.status, refusal.reason, raw, refusal.rawLength])
            }
        }
    }

    /// Refused deliveries, oldest first; `limit` 0 means all.
    public func refusedDeliveries(afterID: Int64 = 0, limit: Int = 0) throws -> [RefusedDelivery] {
        try dbPool.read { db in
            let limitSQL = limit > 0 ? " LIMIT \(limit)" : ""
            return try db.byteRows("SELECT id, at, remote, status, reason, raw IS NOT NULL AS kept, raw, raw_length FROM refused_delivery WHERE id > ? ORDER BY id" + limitSQL,
                                   [.int(afterID)], cached: false) { row in
                RefusedDelivery(id: row.int("id"), at: Timestamp(millisecondsSince1970: row.int("at")), remote: row.text("remote"),
                                status: Int(row.int("status")), reason: row.text("reason"), raw: row.bool("kept") ? row.blob("raw") : nil,
                                rawLength: Int(row.int("raw_length")))
            }
        }
    }
}
