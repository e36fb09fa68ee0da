import CleoDomain
import Foundation
import GRDB

extension AppDatabase {
    /// One page of transactions, newest first, by keyset on the order of first sight.
    public func transactions(_ query: TransactionQuery) throws -> [TransactionRecord] {
        try dbPool.read { db in try Self.fetchTransactions(db, query) }
    }

    /// A page and the newest transaction's seq, from one snapshot (the list's "N new" marker
    /// compares them).
    public func transactionPage(_ query: TransactionQuery) throws -> (rows: [TransactionRecord], newestSeq: Int64?) {
        try dbPool.read { db in
            (try Self.fetchTransactions(db, query), try Int64.fetchOne(db, sql: "SELECT max(seq) FROM tx"))
        }
    }

    /// How many transactions match the filters (the cursor and limit aside).
    public func countTransactions(_ query: TransactionQuery) throws -> Int {
        try dbPool.read { db in
            guard let (whereSQL, arguments) = try Self.whereClause(db, query) else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM tx WHERE \(whereSQL)", arguments: arguments) ?? 0
        }
    }

    /// Transactions first seen after `seq` (what arrived while the list was paused).
    public func countNewer(than seq: Int64) throws -> Int {
        try dbPool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tx WHERE seq > ?", arguments: [seq]) ?? 0 }
    }

    /// Counts by status, for `make bench`.
    public func statusCounts() throws -> [TransactionStatus: Int] {
        try dbPool.read { db in
            var counts: [TransactionStatus: Int] = [:]
            for status in TransactionStatus.allCases {
                counts[status] = try Int.fetchOne(db, sql: "SELECT count(*) FROM tx WHERE status = ?", arguments: [status.rawValue]) ?? 0
            }
            return counts
        }
    }

    /// A transaction and its whole timeline, in log order.
    public func transaction(id: String) throws -> (TransactionRecord, [EventRecord])? {
        try dbPool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM tx WHERE id = ?", arguments: [id]) else { return nil }
            let record = Self.record(row)
            let events = try Row.fetchAll(db, sql: "SELECT * FROM event WHERE tx_seq = ? ORDER BY id", arguments: [record.seq]).map(Self.eventRecord)
            return (record, events)
        }
    }

    /// Rejected lines, oldest first, after `afterID`.
    public func rejectedLines(afterID: Int64 = 0, limit: Int = 0) throws -> [RejectedLine] {
        try dbPool.read { db in
            let limitSQL = limit > 0 ? " LIMIT \(limit)" : ""
            return try Row.fetchAll(db, sql: "SELECT * FROM rejected WHERE id > ? ORDER BY id" + limitSQL, arguments: [afterID]).map { row in
                RejectedLine(id: row["id"], file: row["file"], line: row["line"], offset: row["offset"], code: row["code"], message: row["message"],
                             raw: Array(row["raw"] as Data), rawLength: row["raw_length"], at: Timestamp(millisecondsSince1970: row["at"]))
            }
        }
    }

    /// The follower's stored state and its recent notices.
    public func followerState(path: String) throws -> (FollowerPosition?, [(Timestamp, FollowerNotice)]) {
        try dbPool.read { db in
            let position = try IngestWriter.fetchPosition(db, path: path)
            let notices = try Row.fetchAll(db, sql: "SELECT * FROM follower_notice WHERE path = ? ORDER BY id DESC LIMIT 20", arguments: [path]).map { row in
                (Timestamp(millisecondsSince1970: row["at"]), FollowerNotice(kind: FollowerNotice.Kind(rawValue: row["kind"]) ?? .gap, detail: row["detail"]))
            }
            return (position, notices)
        }
    }

    static func fetchTransactions(_ db: Database, _ query: TransactionQuery) throws -> [TransactionRecord] {
        guard var (whereSQL, arguments) = try whereClause(db, query) else { return [] }
        var order = "DESC"
        switch query.cursor {
        case .newest: break
        case .oldest: order = "ASC"
        case .olderThan(let seq):
            whereSQL += " AND seq < ?"
            arguments += [seq]
        case .newerThan(let seq):
            whereSQL += " AND seq > ?"
            arguments += [seq]
            order = "ASC"
        }
        let limit = query.limit > 0 ? " LIMIT \(query.limit)" : ""
        var rows = try Row.fetchAll(db, sql: "SELECT * FROM tx WHERE \(whereSQL) ORDER BY seq \(order)\(limit)", arguments: arguments).map(record)
        if order == "ASC" { rows.reverse() }
        return rows
    }

    /// The filters as SQL over indexed columns; time bounds become seq bounds (first-seen times
    /// never go backwards, so they are monotonic in seq). nil when nothing can match.
    static func whereClause(_ db: Database, _ query: TransactionQuery) throws -> (String, StatementArguments)? {
        var clauses = ["1"]
        var arguments = StatementArguments()
        if let status = query.status {
            clauses.append("status = ?")
            arguments += [status.rawValue]
        }
        if let region = query.region {
            clauses.append("country = ?")
            arguments += [region.countryCode]
        }
        if let currency = query.currency {
            clauses.append("currency = ?")
            arguments += [currency.rawValue]
        }
        if let method = query.method {
            clauses.append("method = ?")
            arguments += [method.rawValue]
        }
        if let user = query.userID {
            clauses.append("user_id = ?")
            arguments += [user]
        }
        if query.flaggedOnly { clauses.append("flags != 0") }
        if let search = query.search, !search.isEmpty {
            // A prefix as a byte range: x'F4908080' sorts after every valid UTF-8 continuation.
            let range = "(? || CAST(x'F4908080' AS TEXT))"
            clauses.append("((id >= ? AND id < \(range)) OR (psp_id >= ? AND psp_id < \(range)) OR (user_id >= ? AND user_id < \(range)) OR (merchant_ref >= ? AND merchant_ref < \(range)))")
            arguments += [search, search, search, search, search, search, search, search]
        }
        if let since = query.since {
            guard let low = try firstSeq(db, atOrAfter: since.millisecondsSince1970) else { return nil }
            clauses.append("seq >= ?")
            arguments += [low]
        }
        if let until = query.until, let high = try firstSeq(db, atOrAfter: until.millisecondsSince1970 + 1) {
            clauses.append("seq < ?")
            arguments += [high]
        }
        if let minutes = query.overdueMinutes {
            let now = query.now ?? Timestamp(millisecondsSince1970: Int64(Date().timeIntervalSince1970 * 1000))
            clauses.append("status = 'Pending'")
            let cutoff = now.millisecondsSince1970 - Int64(minutes) * 60_000
            if let high = try firstSeq(db, atOrAfter: cutoff) {
                clauses.append("seq < ?")
                arguments += [high]
            }
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    /// The first transaction first seen at or after `time` (by the first-seen index).
    static func firstSeq(_ db: Database, atOrAfter time: Int64) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT seq FROM tx WHERE first_seen_at >= ? ORDER BY first_seen_at, seq LIMIT 1", arguments: [time])
    }

    static func record(_ row: Row) -> TransactionRecord {
        TransactionRecord(
            seq: row["seq"], id: row["id"], method: PaymentMethod(rawValue: row["method"]) ?? .payIn, userID: row["user_id"],
            amount: (row["amount"] as String?).flatMap(Amount.init(literal:)), currency: (row["currency"] as String?).flatMap(Currency.init(code:)),
            region: (row["country"] as String?).flatMap(Region.init(countryCode:)), status: TransactionStatus(rawValue: row["status"]) ?? .pending,
            rawStatus: row["raw_status"], errorCode: row["error_code"], message: row["message"], pspTransactionID: row["psp_id"],
            merchantReference: row["merchant_ref"], flags: TransactionFlags(rawValue: row["flags"]), eventCount: row["event_count"],
            firstSeenAt: Timestamp(millisecondsSince1970: row["first_seen_at"]), updatedAt: Timestamp(millisecondsSince1970: row["updated_at"]))
    }

    static func eventRecord(_ row: Row) -> EventRecord {
        EventRecord(
            file: row["file"], line: row["line"], offset: row["offset"], receivedAt: Timestamp(millisecondsSince1970: row["received_at"]),
            receivedAtGiven: row["received_at_given"], status: TransactionStatus(rawValue: row["transaction_status"]) ?? .pending,
            rawStatus: row["status"], message: row["message"], errorCode: row["error_code"], eventID: row["event_id"],
            duplicate: row["duplicate"], late: row["late"], notes: row["notes"], raw: Array(row["raw"] as Data))
    }
}
