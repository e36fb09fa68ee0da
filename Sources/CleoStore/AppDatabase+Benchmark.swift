import CleoDomain
import GRDB

extension AppDatabase {
    /// Fills an empty database with `transactions` synthetic rows in SQL (no log): the 10-million
    /// row database of `make bench`, which a 20-million-line log could not build on this disk.
    /// Users `user-0`…`user-99999`, statuses 80% Approved / 12% Declined / 8% Pending, 50 ms apart.
    public func benchmarkFill(transactions: Int) throws {
        try dbPool.writeWithoutTransaction { db in
            try db.execute(sql: "DELETE FROM tx")
            for index in Self.secondaryIndexes where index.name.hasPrefix("tx_") { try db.execute(sql: "DROP INDEX IF EXISTS \(index.name)") }
            try db.inTransaction(.immediate) {
                try db.execute(sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                    INSERT INTO tx(seq, id, method, user_id, amount, amount_hundredths, currency, country, status, raw_status,
                                   error_code, message, psp_id, merchant_ref, flags, event_count, first_seen_at, updated_at, order_at)
                    SELECT i, printf('%024x', i * 2654435761 % 281474976710597), CASE WHEN i % 10 < 7 THEN 'CLEO_PAYIN' ELSE 'CLEO_PAYOUT' END,
                           'user-' || (i * 7919 % 100000), '1000.00', 100000,
                           CASE i % 3 WHEN 0 THEN 'CLP' WHEN 1 THEN 'PEN' ELSE 'MXN' END,
                           CASE i % 3 WHEN 0 THEN 'CL' WHEN 1 THEN 'PE' ELSE 'MX' END,
                           CASE WHEN i % 25 < 20 THEN 'Approved' WHEN i % 25 < 23 THEN 'Declined' ELSE 'Pending' END,
                           'SUCCESS', NULL, NULL, printf('psp-%x', i), 'ORD-' || i, CASE WHEN i % 997 = 0 THEN 1 ELSE 0 END, 2,
                           1790000000000 + i * 50, 1790000000000 + i * 50, 1790000000000 + i * 50
                    FROM n
                    """, arguments: [transactions])
                return .commit
            }
            for index in Self.secondaryIndexes where index.name.hasPrefix("tx_") { try db.execute(sql: index.sql) }
            try db.execute(sql: "ANALYZE")
        }
    }

    /// SQLite's plan for a page query (for the benchmark's report and the index tests).
    public func queryPlan(_ query: TransactionQuery) throws -> [String] {
        try dbPool.read { db in
            guard let (sql, arguments, _) = try Self.pageSQL(db, query) else { return [] }
            return try Self.queryPlanDetails(db, sql, arguments)
        }
    }

    static func queryPlanDetails(_ db: Database, _ sql: String, _ arguments: [ByteValue]) throws -> [String] {
        try db.byteRows("EXPLAIN QUERY PLAN " + sql, arguments, cached: false) { $0.text("detail") }
    }
}
