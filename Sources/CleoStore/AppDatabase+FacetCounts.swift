import CleoDomain
import GRDB

/// The filter panel's counts kept as the rows change. Counting them by one grouped scan of `tx`
/// took 32.8 s on 10M rows (every row read, whatever the index); with no filter but the facets
/// themselves — the panel's usual question — the answer is this table's few dozen rows, kept
/// exact by triggers in the same transaction as each row's change, whichever connection or
/// process writes it. Under a search, a user or a time bound the rows those filters select are
/// counted as they are read.
extension AppDatabase {
    /// One row per status × country × currency × method × flagged seen so far, with how many
    /// transactions it holds now (0 once they all moved away: rows are not deleted, so a trigger
    /// never shrinks the table under a reader). A missing country or currency is '' (a key column
    /// holding NULL would not be matched by the upsert); the reader turns it back into nil.
    static func createFacetCounts(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE tx_facet (
                status TEXT NOT NULL, country TEXT NOT NULL, currency TEXT NOT NULL, method TEXT NOT NULL, flagged INTEGER NOT NULL,
                n INTEGER NOT NULL,
                PRIMARY KEY (status, country, currency, method, flagged)
            ) WITHOUT ROWID
            """)
        try countFacetsAndKeepThem(db)
    }

    /// The triggers that keep `tx_facet`: a bulk load drops them (an upsert per row inserted cost
    /// it ~8% more CPU) and counts the rows once at its end (`completeBulkLoad`).
    public static let facetTriggers = ["tx_facet_insert", "tx_facet_delete", "tx_facet_update"]

    /// Counts every row of `tx` into `tx_facet` afresh and creates the triggers that keep it, in
    /// the caller's transaction (one transaction: no write between the count and the triggers
    /// goes uncounted). By the triggers' own upsert, row by row: a GROUP BY sorts every row first
    /// (35.6 s and 823 MB of sorter at 10M rows under `temp_store = MEMORY`; this 13.6 s, 6 MB).
    static func countFacetsAndKeepThem(_ db: Database) throws {
        let key = { (row: String) in "\(row).status, ifnull(\(row).country, ''), ifnull(\(row).currency, ''), \(row).method, \(row).flags != 0" }
        let match = { (row: String) in
            "status = \(row).status AND country = ifnull(\(row).country, '') AND currency = ifnull(\(row).currency, '') AND method = \(row).method AND flagged = (\(row).flags != 0)"
        }
        try db.execute(sql: """
            DELETE FROM tx_facet;
            INSERT INTO tx_facet SELECT \(key("tx")), 1 FROM tx WHERE true ON CONFLICT DO UPDATE SET n = n + 1;
            CREATE TRIGGER IF NOT EXISTS tx_facet_insert AFTER INSERT ON tx BEGIN
                INSERT INTO tx_facet VALUES (\(key("new")), 1) ON CONFLICT DO UPDATE SET n = n + 1;
            END;
            CREATE TRIGGER IF NOT EXISTS tx_facet_delete AFTER DELETE ON tx BEGIN
                UPDATE tx_facet SET n = n - 1 WHERE \(match("old"));
            END;
            CREATE TRIGGER IF NOT EXISTS tx_facet_update AFTER UPDATE OF status, country, currency, method, flags ON tx
            WHEN old.status IS NOT new.status OR old.country IS NOT new.country OR old.currency IS NOT new.currency
                 OR old.method IS NOT new.method OR (old.flags != 0) IS NOT (new.flags != 0)
            BEGIN
                UPDATE tx_facet SET n = n - 1 WHERE \(match("old"));
                INSERT INTO tx_facet VALUES (\(key("new")), 1) ON CONFLICT DO UPDATE SET n = n + 1;
            END;
            """)
    }

    /// The panel's cells under `query`'s filters that are not facets: the kept counts when there
    /// are none (`kept: false` counts them all the same, to check the table), else the rows
    /// those filters select, grouped here: SQLite's GROUP BY sorts every selected row before it
    /// counts (a one-letter search selects all 10M), the groups are a few dozen.
    static func facets(_ db: Database, _ query: TransactionQuery, kept: Bool = true) throws -> TransactionFacets {
        guard let (whereSQL, arguments) = try countWhereClause(db, TransactionFacets.base(of: query)) else { return TransactionFacets(cells: []) }
        // "1" is `whereClause`'s empty conjunction: no filter besides the facets (a filter added
        // there later lands on the counted branch by itself).
        if kept && whereSQL == "1" {
            let sql = "SELECT status, nullif(country, '') AS country, nullif(currency, '') AS currency, method, flagged, n FROM tx_facet WHERE n > 0"
            return TransactionFacets(cells: try db.byteRows(sql, [], cached: false, facetCell).compactMap { $0 })
        }
        var counts: [TransactionFacets.Cell: Int] = [:]
        let sql = "SELECT status, country, currency, method, flags != 0 AS flagged, 0 AS n FROM tx WHERE \(whereSQL)"
        try db.forEachByteRow(sql, arguments, cached: false) { row in
            if let cell = facetCell(row) { counts[cell, default: 0] += 1 }
            return true
        }
        return TransactionFacets(cells: counts.map { cell, count in
            var counted = cell
            counted.count = count
            return counted
        })
    }

    /// A counted group as the panel's cell; nil for a status or method that is not ours (a row
    /// written from outside), which no filter value counts.
    static func facetCell(_ row: ByteRow) -> TransactionFacets.Cell? {
        guard let status = TransactionStatus(rawValue: row.text("status")), let method = PaymentMethod(rawValue: row.text("method")) else { return nil }
        return TransactionFacets.Cell(status: status, region: row.optionalText("country").flatMap(Region.init(countryCode:)),
                                      currency: row.optionalText("currency").flatMap(Currency.init(code:)), method: method,
                                      flagged: row.bool("flagged"), count: Int(row.int("n")))
    }
}
