import CleoDomain
import GRDB

/// The cashier's records: each send (key health), and the Pending transaction a created
/// request with a transactionId is listed as at once.
extension AppDatabase {
    /// Migration "v3-cashier". `tx.origin` is NULL for a transaction first seen in the webhook
    /// log and `cashier` for one created here; the ingest's updates leave it alone.
    static func createCashierTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE cashier_send (
                id INTEGER PRIMARY KEY,
                at INTEGER NOT NULL, user TEXT NOT NULL, origin TEXT NOT NULL,
                environment TEXT NOT NULL, base_url TEXT NOT NULL,
                region TEXT NOT NULL, type TEXT NOT NULL, user_id TEXT NOT NULL, amount TEXT NOT NULL, currency TEXT NOT NULL,
                key_fingerprint TEXT,
                result TEXT NOT NULL, http_status INTEGER, error_code TEXT, message TEXT,
                transaction_id TEXT, session_id TEXT
            );
            CREATE INDEX cashier_send_region ON cashier_send(region, id);
            ALTER TABLE tx ADD COLUMN origin TEXT;
            """)
    }

    /// Records a send and, when it created a transaction with an id not yet listed, inserts that
    /// transaction as Pending. Written on a connection of its own: its commit moves
    /// `PRAGMA data_version` for this process's writer connection too, so an `IngestWriter`
    /// here (the console) drops its cache and its "ids seen" set before its next batch, exactly
    /// as for another process's commit — its own pool's writer would not tell it.
    /// Returns whether a Pending transaction was inserted.
    @discardableResult
    public func recordCashierSend(_ send: CashierSendRecord) throws -> Bool {
        let queue = try DatabaseQueue(path: path, configuration: Self.configuration(tuning: .interactive, readOnly: false))
        defer { try? queue.close() }
        var inserted = false
        try queue.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: """
                    INSERT INTO cashier_send(at, user, origin, environment, base_url, region, type, user_id, amount, currency, key_fingerprint,
                                             result, http_status, error_code, message, transaction_id, session_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [send.at.millisecondsSince1970, send.user, send.origin, send.environment, send.baseURL,
                                     send.region.countryCode, send.method.shortName, send.userID, send.amount, send.currency, send.keyFingerprint,
                                     send.result, send.httpStatus, send.errorCode, send.message, send.transactionID, send.sessionID])
                if send.result == CashierOutcome.Result.created.rawValue, let id = send.transactionID, !id.isEmpty {
                    inserted = try Self.insertPendingFromCashier(db, send: send, id: id)
                }
                return .commit
            }
        }
        return inserted
    }

    /// The transaction row as the first webhook event would have made it (rule 1), with no
    /// event yet; the webhook that settles it later finds it by id and updates it in place.
    static func insertPendingFromCashier(_ db: Database, send: CashierSendRecord, id: String) throws -> Bool {
        // Byte for byte, as the ingest compares ids (the unique index is (id NOCASE, id)).
        if try Int64.fetchOne(db, sql: "SELECT seq FROM tx WHERE id = ? COLLATE NOCASE AND id = ? COLLATE BINARY", arguments: [id, id]) != nil {
            return false
        }
        let newest = try Row.fetchOne(db, sql: "SELECT seq, order_at FROM tx ORDER BY seq DESC LIMIT 1")
        let seq = (newest?["seq"] as Int64? ?? 0) + 1
        let at = send.at.millisecondsSince1970
        // `order_at` is the running maximum of first-seen times in seq order; `time_disorder`
        // how far below it a time fell (see `whereClause`), kept as the ingest keeps them.
        let orderAt = max(newest?["order_at"] as Int64? ?? Int64.min, at)
        let disorder = try timeDisorder(db)
        if orderAt - at > disorder {
            try db.execute(sql: "INSERT OR REPLACE INTO meta_int(key, value) VALUES ('time_disorder', ?)", arguments: [orderAt - at])
        }
        let amount = Amount(literal: send.amount)
        try db.execute(sql: """
            INSERT INTO tx(seq, id, method, user_id, amount, amount_hundredths, currency, country, status, raw_status,
                           error_code, message, psp_id, merchant_ref, flags, event_count, first_seen_at, order_at, updated_at, origin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', NULL, NULL, NULL, NULL, 0, 0, ?, ?, ?, 'cashier')
            """, arguments: [seq, id, send.method.rawValue, send.userID, amount?.literal, amount?.hundredths, send.currency,
                             send.region.countryCode, TransactionStatus.pending.rawValue, at, orderAt, at])
        return true
    }

    /// Every send, oldest first.
    public func cashierHistory() throws -> [CashierSendRecord] {
        try dbPool.read { db in
            guard try db.tableExists("cashier_send") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM cashier_send ORDER BY id").map(Self.cashierSend)
        }
    }

    /// Each region's latest send.
    public func cashierLastTests() throws -> [Region: CashierLastTest] {
        try dbPool.read { db in
            guard try db.tableExists("cashier_send") else { return [:] }
            var tests: [Region: CashierLastTest] = [:]
            for region in Region.allCases {
                if let row = try Row.fetchOne(db, sql: "SELECT at, result, error_code FROM cashier_send WHERE region = ? ORDER BY id DESC LIMIT 1",
                                              arguments: [region.countryCode]) {
                    tests[region] = CashierLastTest(at: Timestamp(millisecondsSince1970: row["at"]), result: row["result"], errorCode: row["error_code"])
                }
            }
            return tests
        }
    }

    /// Where a transaction came from: `cashier` for one created by a send, nil for the webhook log.
    public func transactionOrigin(id: String) throws -> String? {
        try dbPool.read { db in
            guard try db.columns(in: "tx").contains(where: { $0.name == "origin" }) else { return nil }
            // Bound by byte length, as every id (a NUL in it must not find another transaction's).
            return try db.firstByteRow("SELECT origin FROM tx WHERE id = ? COLLATE NOCASE AND id = ? COLLATE BINARY", [.text(id), .text(id)]) {
                $0.optionalText("origin")
            } ?? nil
        }
    }

    static func cashierSend(_ row: Row) -> CashierSendRecord {
        CashierSendRecord(
            id: row["id"], at: Timestamp(millisecondsSince1970: row["at"]), user: row["user"], origin: row["origin"],
            environment: row["environment"], baseURL: row["base_url"],
            region: Region(countryCode: row["region"]) ?? .chile, method: row["type"] == "PAYOUT" ? .payOut : .payIn,
            userID: row["user_id"], amount: row["amount"], currency: row["currency"], keyFingerprint: row["key_fingerprint"], result: row["result"],
            httpStatus: row["http_status"], errorCode: row["error_code"], message: row["message"],
            transactionID: row["transaction_id"], sessionID: row["session_id"])
    }
}
