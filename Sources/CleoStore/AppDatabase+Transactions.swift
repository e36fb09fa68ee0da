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
        try dbPool.read { db in try Self.count(db, Self.countClause(db, query)) }
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

    /// A transaction and its whole timeline, in log order. The id is compared byte for byte.
    public func transaction(id: String) throws -> (TransactionRecord, [EventRecord])? {
        var record: TransactionRecord?
        var events: [EventRecord] = []
        guard try transaction(id: id, { record = $0 }, each: { events.append($0) }), let record else { return nil }
        return (record, events)
    }

    /// A transaction, then its timeline in log order one event at a time: `tx show` of 100
    /// events with 1 MiB messages peaked at 249 MB when the timeline was gathered first. The
    /// events are those the transaction had when its row was read (ids up to its newest then:
    /// events are only ever appended), read in chunks each in a read of its own, and handed out
    /// outside any read — a slow reader (`tx show ID | less`) holds no snapshot, so checkpoints
    /// go on while serve writes. False when there is no such transaction.
    public func transaction(id: String, _ record: (TransactionRecord) throws -> Void, each event: (EventRecord) throws -> Void) throws -> Bool {
        let head = try dbPool.read { db -> (TransactionRecord, Int64)? in
            guard let found = try db.firstByteRow(Self.transactionByID, [.text(id), .text(id)], Self.record) else { return nil }
            let newest = try db.firstByteRow("SELECT max(id) AS n FROM event WHERE tx_seq = ?", [.int(found.seq)]) { $0.optionalInt("n") } ?? nil
            return (found, newest ?? 0)
        }
        guard let (found, newest) = head else { return false }
        try record(found)
        var after: Int64 = 0
        while after < newest {
            // A chunk is up to 256 events or 4 MiB of raw lines, whichever comes first.
            let chunk = try dbPool.read { db -> [EventRecord] in
                var events: [EventRecord] = []
                var bytes = 0
                try db.forEachByteRow("SELECT \(Self.eventColumns(keepRaw: true)) FROM \(Self.eventFrom) WHERE e.tx_seq = ? AND e.id > ? AND e.id <= ? ORDER BY e.id",
                                      [.int(found.seq), .int(after), .int(newest)]) { row in
                    let e = try Self.eventRecord(row)
                    events.append(e)
                    bytes += e.raw.count
                    return events.count < 256 && bytes < 4 << 20
                }
                return events
            }
            guard let last = chunk.last else { break }
            for e in chunk { try event(e) }
            after = last.rowID
        }
        return true
    }

    /// What the console's detail needs: nothing when the transaction has not changed since it
    /// was shown (`knownEventCount`: every change is an event), else the row, how many events it
    /// has, and the newest `eventLimit` of them in log order without their raw lines (a
    /// transaction with 20,000 events reloaded whole on every commit cost 13 s of CPU in 10 s and
    /// 680 MB; raw lines are up to 1 MiB each).
    public func transactionDetail(id: String, knownEventCount: Int?, eventLimit: Int) throws -> TransactionDetail {
        try dbPool.read { db in
            guard let record = try db.firstByteRow(Self.transactionByID, [.text(id), .text(id)],
                                                   Self.record) else { return .missing }
            if record.eventCount == knownEventCount { return .unchanged }
            let newest = try db.byteRows("SELECT \(Self.eventColumns(keepRaw: false)) FROM \(Self.eventFrom) WHERE e.tx_seq = ? ORDER BY e.id DESC LIMIT ?",
                                         [.int(record.seq), .int(Int64(max(1, eventLimit)))], Self.eventRecord)
            let total = try db.firstByteRow("SELECT count(*) AS n FROM event WHERE tx_seq = ?", [.int(record.seq)]) { Int($0.int("n")) } ?? 0
            return .loaded(record, newest.reversed(), totalEvents: total)
        }
    }

    /// One event's raw line (the detail's raw view).
    public func eventRaw(rowID: Int64) throws -> [UInt8]? {
        try dbPool.read { db in try db.firstByteRow("SELECT raw FROM event WHERE id = ?", [.int(rowID)]) { $0.blob("raw") } }
    }

    /// Rejected lines, oldest first, after `afterID`.
    public func rejectedLines(afterID: Int64 = 0, limit: Int = 0) throws -> [RejectedLine] {
        try dbPool.read { db in
            let limitSQL = limit > 0 ? " LIMIT \(limit)" : ""
            return try db.byteRows("SELECT * FROM rejected WHERE id > ? ORDER BY id" + limitSQL, [.int(afterID)], cached: false, Self.rejectedLine)
        }
    }

    /// The follower's stored state and its recent notices.
    public func followerState(path: String) throws -> (FollowerPosition?, [FollowerNotice]) {
        try dbPool.read { db in
            let position = try IngestWriter.fetchPosition(db, path: path)
            return (position, try Self.followerNotices(db, key: position?.path ?? path, limit: FollowerSnapshot.noticeLimit))
        }
    }

    /// The newest notices stored under a position's key, newest first.
    static func followerNotices(_ db: Database, key: String, limit: Int) throws -> [FollowerNotice] {
        try Row.fetchAll(db, sql: "SELECT * FROM follower_notice WHERE path = ? ORDER BY id DESC LIMIT ?", arguments: [key, limit]).map { row in
            FollowerNotice(kind: FollowerNotice.Kind(rawValue: row["kind"]) ?? .gap, detail: row["detail"], at: Timestamp(millisecondsSince1970: row["at"]))
        }
    }

    static func fetchTransactions(_ db: Database, _ query: TransactionQuery) throws -> [TransactionRecord] {
        guard let (sql, arguments, ascending) = try pageSQL(db, query) else { return [] }
        var rows = try db.byteRows(sql, arguments, cached: false, record)
        if ascending { rows.reverse() }
        return rows
    }

    /// The page's statement (and whether it reads upwards, to be reversed). Several statuses
    /// are one ordered arm each over `tx_status(status, seq)`, merged by SQLite (a compound
    /// ORDER BY is a merge of sorted arms): `status IN (…) ORDER BY seq` would sort every
    /// matching row in a temporary B-tree before the first page (cli.md: none scans the table).
    static func pageSQL(_ db: Database, _ query: TransactionQuery) throws -> (String, [ByteValue], ascending: Bool)? {
        var order = "DESC"
        var cursorSQL = ""
        var cursorArguments: [ByteValue] = []
        switch query.cursor {
        case .newest: break
        case .oldest: order = "ASC"
        case .olderThan(let seq):
            cursorSQL = " AND seq < ?"
            cursorArguments = [.int(seq)]
        case .newerThan(let seq):
            cursorSQL = " AND seq > ?"
            cursorArguments = [.int(seq)]
            order = "ASC"
        }
        let statuses = query.statusFilter
        var arms: [TransactionQuery] = [query]
        if statuses.count > 1 {
            arms = statuses.map { status in
                var arm = query
                arm.statuses = [status]
                return arm
            }
        }
        let searchIndexed = try !isDenseSearch(db, query, cursorSQL, cursorArguments)
        var selects: [String] = []
        var arguments: [ByteValue] = []
        for arm in arms {
            guard let (whereSQL, armArguments) = try whereClause(db, arm, searchIndexed: searchIndexed) else { continue }
            selects.append("SELECT * FROM tx WHERE \(whereSQL)\(cursorSQL)")
            arguments += armArguments + cursorArguments
        }
        guard !selects.isEmpty else { return nil }
        let limit = query.limit > 0 ? " LIMIT \(query.limit)" : ""
        return (selects.joined(separator: " UNION ALL ") + " ORDER BY seq \(order)\(limit)", arguments, order == "ASC")
    }

    /// A search that matches at least this many rows of a page's range is dense: its page is read
    /// in list order, testing each row, rather than collected from the search indexes and sorted.
    /// Sorting costs about a microsecond a matching row, the ordered read a fifth of that a row it
    /// passes, and it passes about `limit × rows / matches` of them: at 4,096 matches either way
    /// stays near 10 ms on 10M rows, where sorting every match of a one-letter prefix (the first
    /// key of a search as you type) took half a second and tens of MB of sorter memory.
    static let denseSearchMatches = 4_096

    /// Counting a search that matches at least this many rows reads the table in order, testing
    /// each row, rather than the matches through the search indexes: SQLite's OR over the four
    /// indexes collects every matching rowid before counting (248 MB for a one-letter search on
    /// 10M rows, 4.1 s; the ordered read 6 MB, 6.9 s). Below it the indexes answer, their rowid
    /// set a few MB at most.
    static let denseCountMatches = 262_144

    /// How many rows the query's search matches in the page's range, counted on the search
    /// indexes up to `cap` (nil: no search, or nothing can match).
    static func searchMatches(_ db: Database, _ query: TransactionQuery, _ cursorSQL: String = "", _ cursorArguments: [ByteValue] = [],
                              upTo cap: Int) throws -> Int? {
        guard query.searchPrefix != nil, let (whereSQL, arguments) = try whereClause(db, query) else { return nil }
        let probe = "SELECT count(*) AS n FROM (SELECT 1 FROM tx WHERE \(whereSQL)\(cursorSQL) LIMIT \(cap))"
        return try db.firstByteRow(probe, arguments + cursorArguments) { Int($0.int("n")) } ?? 0
    }

    /// Whether the query's search matches `denseSearchMatches` rows or more in the page's range.
    static func isDenseSearch(_ db: Database, _ query: TransactionQuery, _ cursorSQL: String, _ cursorArguments: [ByteValue]) throws -> Bool {
        try (searchMatches(db, query, cursorSQL, cursorArguments, upTo: denseSearchMatches) ?? 0) >= denseSearchMatches
    }

    /// The filters as `whereClause` writes them for a count (see `denseCountMatches`), and the
    /// count itself when the probe that decided it found fewer matches than `matches`: that
    /// probe counted every one of them, so counting again would read them twice.
    static func countClause(_ db: Database, _ query: TransactionQuery, denseAt matches: Int = denseCountMatches) throws
        -> (clause: (String, [ByteValue])?, counted: Int?) {
        let found = try searchMatches(db, query, upTo: matches)
        let dense = (found ?? 0) >= matches
        return (try whereClause(db, query, searchIndexed: !dense), dense ? nil : found)
    }

    static func countWhereClause(_ db: Database, _ query: TransactionQuery, denseAt matches: Int = denseCountMatches) throws -> (String, [ByteValue])? {
        try countClause(db, query, denseAt: matches).clause
    }

    /// How many rows match the filters of `countClause`'s answer.
    static func count(_ db: Database, _ filters: (clause: (String, [ByteValue])?, counted: Int?), extra: String = "", _ more: [ByteValue] = []) throws -> Int {
        if extra.isEmpty, let counted = filters.counted { return counted }
        guard let (whereSQL, arguments) = filters.clause else { return 0 }
        return try db.firstByteRow("SELECT count(*) AS n FROM tx WHERE \(whereSQL)\(extra)", arguments + more) { Int($0.int("n")) } ?? 0
    }

    /// Counts per filter value for the filter panel (`TransactionFacets` sums each facet from
    /// the groups `facets` reads).
    public func transactionFacets(_ query: TransactionQuery) throws -> TransactionFacets {
        try dbPool.read { db in try Self.facets(db, query) }
    }

    /// The filters as SQL over indexed columns, every value bound by its bytes. nil when nothing
    /// can match.
    ///
    /// Time bounds (events-log.md rule 9) are on `first_seen_at`, which is not monotonic in seq
    /// (a backlog's times may be out of log order), so they are made indexed through `order_at`,
    /// its running maximum in seq order, and `time_disorder`, the most any row's time lies below
    /// the running maximum before it: a row with time ≥ T has `order_at` ≥ T, and one with time
    /// ≤ U has `order_at` ≤ U + disorder. Each becomes a seq bound found on `tx_order_at`; the
    /// exact comparison on `first_seen_at` then checks only the rows between.
    ///
    /// `searchIndexed: false` keeps the search off its indexes (`+column`), so SQLite reads the
    /// rows in list order and tests each (a dense search, see `denseSearchMatches`).
    static func whereClause(_ db: Database, _ query: TransactionQuery, searchIndexed: Bool = true) throws -> (String, [ByteValue])? {
        var clauses = ["1"]
        var arguments: [ByteValue] = []
        let statuses = query.statusFilter
        if !statuses.isEmpty {
            clauses.append("status IN (" + statuses.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments += statuses.map { .text($0.rawValue) }
        }
        if let region = query.region {
            clauses.append("country = ?")
            arguments.append(.text(region.countryCode))
        }
        if let currency = query.currency {
            // The currency with its own country (the country's index answers; ingest keeps the two
            // in step). A row written from outside with CLP and no country, or CLP beside PE, is
            // under neither currency — as the panel counts it (`TransactionFacets`).
            clauses.append("country = ? AND currency = ?")
            arguments.append(.text(currency.region.countryCode))
            arguments.append(.text(currency.rawValue))
        }
        if let method = query.method {
            clauses.append("method = ?")
            arguments.append(.text(method.rawValue))
        }
        if let user = query.userID {
            // The NOCASE index narrows, the byte comparison decides (an exact user, cli.md).
            clauses.append("user_id = ? COLLATE NOCASE AND user_id = ? COLLATE BINARY")
            arguments += [.text(user), .text(user)]
        }
        if query.flaggedOnly { clauses.append("flags != 0") }
        if let search = query.searchPrefix {
            // A prefix ignoring ASCII case (cli.md) as a NOCASE range: x'F4908080' sorts after
            // every valid UTF-8 continuation of the prefix.
            let columns = ["id", "psp_id", "user_id", "merchant_ref"].map { searchIndexed ? $0 : "+" + $0 }
            clauses.append("(" + columns.map { "(\($0) >= ? COLLATE NOCASE AND \($0) < (? || CAST(x'F4908080' AS TEXT)) COLLATE NOCASE)" }
                .joined(separator: " OR ") + ")")
            for _ in columns { arguments += [.text(search), .text(search)] }
        }
        if let since = query.since?.millisecondsSince1970 {
            guard let low = try firstSeq(db, orderAtOrAfter: since) else { return nil }
            clauses.append("seq >= ? AND first_seen_at >= ?")
            arguments += [.int(low), .int(since)]
        }
        if let until = query.until?.millisecondsSince1970 {
            if let high = try firstSeq(db, orderAtOrAfter: until + timeDisorder(db) + 1) {
                clauses.append("seq < ?")
                arguments.append(.int(high))
            }
            clauses.append("first_seen_at <= ?")
            arguments.append(.int(until))
        }
        if let minutes = query.overdueMinutes {
            let now = query.now ?? Timestamp(millisecondsSince1970: Int64(Date().timeIntervalSince1970 * 1000))
            let cutoff = now.millisecondsSince1970 - Int64(minutes) * 60_000
            clauses.append("status = 'Pending' AND first_seen_at < ?")
            arguments.append(.int(cutoff))
            if let high = try firstSeq(db, orderAtOrAfter: cutoff + timeDisorder(db)) {
                clauses.append("seq < ?")
                arguments.append(.int(high))
            }
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    /// The transaction whose id is these bytes: the NOCASE column of `tx_id` narrows, the BINARY
    /// one decides (bind the id twice).
    static let transactionByID = "SELECT * FROM tx WHERE id = ? COLLATE NOCASE AND id = ? COLLATE BINARY"

    /// The first transaction whose running-maximum time is at or after `time` (by `tx_order_at`).
    static func firstSeq(_ db: Database, orderAtOrAfter time: Int64) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT seq FROM tx WHERE order_at >= ? ORDER BY order_at, seq LIMIT 1", arguments: [time])
    }

    /// How far below the running maximum any transaction's time lies (0 for a log in time order).
    static func timeDisorder(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM meta_int WHERE key = 'time_disorder'") ?? 0
    }

    static func record(_ row: ByteRow) -> TransactionRecord {
        TransactionRecord(
            seq: row.int("seq"), id: row.text("id"), method: PaymentMethod(rawValue: row.text("method")) ?? .payIn, userID: row.text("user_id"),
            amount: row.optionalText("amount").flatMap(Amount.init(literal:)), currency: row.optionalText("currency").flatMap(Currency.init(code:)),
            region: row.optionalText("country").flatMap(Region.init(countryCode:)), status: TransactionStatus(rawValue: row.text("status")) ?? .pending,
            rawStatus: row.text("raw_status"), errorCode: row.optionalText("error_code"), message: row.optionalText("message"),
            pspTransactionID: row.optionalText("psp_id"), merchantReference: row.optionalText("merchant_ref"),
            flags: TransactionFlags(rawValue: Int(row.int("flags"))), eventCount: Int(row.int("event_count")),
            firstSeenAt: Timestamp(millisecondsSince1970: row.int("first_seen_at")), updatedAt: Timestamp(millisecondsSince1970: row.int("updated_at")))
    }

    static func rejectedLine(_ row: ByteRow) -> RejectedLine {
        RejectedLine(id: row.int("id"), file: row.text("file"), line: row.int("line"), offset: row.int("offset"), code: row.text("code"),
                     message: row.text("message"), raw: row.blob("raw"), rawLength: Int(row.int("raw_length")),
                     at: Timestamp(millisecondsSince1970: row.int("at")))
    }
}

/// The detail's read (see `AppDatabase.transactionDetail`).
public enum TransactionDetail: Sendable, Equatable {
    case missing
    case unchanged
    case loaded(TransactionRecord, [EventRecord], totalEvents: Int)
}
