import CleoDomain
import Foundation
import GRDB

/// Reads for the console's paged lists: counts that place a window in the whole list, and the
/// rejected lines and refused deliveries by keyset pages on id, newest first (never the whole table).
extension AppDatabase {
    /// How many transactions match `query`'s filters, how many of them are at or after
    /// `atOrAfter` (the rows above a window), and how many are overdue — from one snapshot, so
    /// the position and the total agree; with `facets`, the filter panel's counts per value too.
    /// Once `cancel` is cancelled the counting stops and `CancellationError` is thrown.
    public func countTransactions(_ query: TransactionQuery, atOrAfter seq: Int64?, overdue: TransactionQuery, facets: Bool = false,
                                  cancel: CancelToken? = nil) throws -> (total: Int, above: Int?, overdue: Int, facets: TransactionFacets?) {
        try dbPool.read { db in try db.cancellable(cancel) {
            let filters = try Self.countClause(db, query)
            let total = try Self.count(db, filters)
            let above = try seq.map { try Self.count(db, filters, extra: " AND seq >= ?", [.int($0)]) }
            return (total, above, try Self.count(db, Self.countClause(db, overdue)), facets ? try Self.facets(db, query) : nil)
        } }
    }

    /// When the next transaction that is Pending and not yet overdue turns overdue (its time +
    /// `minutes`): the moment the overdue count moves with no commit at all. Nil when none is.
    /// The first such row in log order, found in a few index steps (`tx_order_at`, then
    /// `tx_status` from there) — not the least time of all, which would read every Pending row
    /// of the last `minutes`: a log out of time order (`time_disorder`) is allowed for by
    /// answering that much earlier, up to a minute (a later time is then counted again at once).
    public func nextOverdueAt(minutes: Int, now: Timestamp) throws -> Timestamp? {
        let span = Int64(minutes) * 60_000
        let cutoff = now.millisecondsSince1970 - span
        return try dbPool.read { db in
            guard let low = try Self.firstSeq(db, orderAtOrAfter: cutoff) else { return nil }
            let first = try Int64.fetchOne(db, sql: "SELECT first_seen_at FROM tx WHERE status = 'Pending' AND seq >= ? AND first_seen_at >= ? ORDER BY seq LIMIT 1",
                                           arguments: [low, cutoff])
            let early = min(try Self.timeDisorder(db), 60_000)
            return first.map { Timestamp(millisecondsSince1970: $0 + span - early) }
        }
    }

    /// Rejected lines, newest first: `limit` of them before `beforeID` (nil: the newest).
    public func rejectedLinesNewestFirst(beforeID: Int64? = nil, limit: Int) throws -> (lines: [RejectedLine], total: Int) {
        let page = try rejectedLinesPage(beforeID.map { .olderThan($0) } ?? .newest, limit: limit)
        return (page.lines, page.total)
    }

    /// A page of rejected lines at `window`, newest first, how many there are in all and how
    /// many are newer than the page (its place in the whole list), from one snapshot.
    public func rejectedLinesPage(_ window: RowWindow, limit: Int) throws -> (lines: [RejectedLine], total: Int, above: Int) {
        try dbPool.read { db in
            let lines = try Self.keysetPage(db, "SELECT * FROM rejected", window, limit, Self.rejectedLine)
            return (lines, try Int.fetchOne(db, sql: "SELECT count(*) FROM rejected") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM rejected WHERE id > ?", arguments: [Self.aboveAnchor(window, first: lines.first?.id)]) ?? 0)
        }
    }

    /// The id above which rows are newer than a page whose newest row is `first`. An empty page
    /// older than an id has every row from that id up above it, not none: total − above − count
    /// then says truly that nothing is below.
    static func aboveAnchor(_ window: RowWindow, first: Int64?) -> Int64 {
        if let first { return first }
        if case .olderThan(let id) = window { return id &- 1 }
        return Int64.max
    }

    /// Rows of `select` (a table with a growing `id`, narrowed by `filter`) at `window`, newest first.
    /// `key` names the id column (qualified when `select` joins tables).
    static func keysetPage<T>(_ db: Database, _ select: String, filter: String = "1", arguments: [ByteValue] = [], key: String = "id",
                              _ window: RowWindow, _ limit: Int, _ transform: (ByteRow) throws -> T) throws -> [T] {
        let limit = ByteValue.int(Int64(max(1, limit)))
        let select = select + " WHERE " + filter
        switch window {
        case .newest: return try db.byteRows(select + " ORDER BY \(key) DESC LIMIT ?", arguments + [limit], cached: false, transform)
        case .oldest: return try db.byteRows(select + " ORDER BY \(key) ASC LIMIT ?", arguments + [limit], cached: false, transform).reversed()
        case .olderThan(let id):
            return try db.byteRows(select + " AND \(key) < ? ORDER BY \(key) DESC LIMIT ?", arguments + [.int(id), limit], cached: false, transform)
        case .newerThan(let id):
            return try db.byteRows(select + " AND \(key) > ? ORDER BY \(key) ASC LIMIT ?", arguments + [.int(id), limit], cached: false, transform).reversed()
        }
    }

    /// A page of a transaction's timeline at `window` in log order, without raw lines (`r`
    /// reads one; each is read here only to derive its fields, one row at a time), how many
    /// events it has, and how many come after the page — by `event_tx`.
    public func timeline(txSeq: Int64, window: RowWindow, limit: Int) throws -> (events: [EventRecord], total: Int, after: Int) {
        try dbPool.read { db in
            let newestFirst = try Self.keysetPage(db, "SELECT \(Self.eventColumns(keepRaw: false)) FROM \(Self.eventFrom)", filter: "e.tx_seq = ?",
                                                  arguments: [.int(txSeq)], key: "e.id", window, limit, Self.eventRecord)
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM event WHERE tx_seq = ?", arguments: [txSeq]) ?? 0
            let after = try Int.fetchOne(db, sql: "SELECT count(*) FROM event WHERE tx_seq = ? AND id > ?",
                                         arguments: [txSeq, newestFirst.first?.rowID ?? Int64.max]) ?? 0
            return (newestFirst.reversed(), total, after)
        }
    }

    /// Refused deliveries, newest first: `limit` of them before `beforeID` (nil: the newest), and
    /// how many there are in all. Bodies are not read (500 of 64 KiB each would be 32 MB a reload):
    /// a kept body comes as `raw == []`, none kept as `raw == nil`; `refusedBody(id:)` reads one.
    public func refusedDeliveriesNewestFirst(beforeID: Int64? = nil, limit: Int) throws -> (refusals: [RefusedDelivery], total: Int) {
        let page = try refusedDeliveriesPage(beforeID.map { .olderThan($0) } ?? .newest, limit: limit)
        return (page.refusals, page.total)
    }

    /// A page of refused deliveries at `window` (bodies not read), as `rejectedLinesPage`.
    public func refusedDeliveriesPage(_ window: RowWindow, limit: Int) throws -> (refusals: [RefusedDelivery], total: Int, above: Int) {
        try dbPool.read { db in
            let refusals = try Self.keysetPage(db, "SELECT id, at, remote, status, reason, raw IS NOT NULL AS kept, raw_length FROM refused_delivery",
                                               window, limit) { row in
                RefusedDelivery(id: row.int("id"), at: Timestamp(millisecondsSince1970: row.int("at")), remote: row.text("remote"),
                                status: Int(row.int("status")), reason: row.text("reason"), raw: row.bool("kept") ? [] : nil,
                                rawLength: Int(row.int("raw_length")))
            }
            return (refusals, try Int.fetchOne(db, sql: "SELECT count(*) FROM refused_delivery") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM refused_delivery WHERE id > ?", arguments: [Self.aboveAnchor(window, first: refusals.first?.id)]) ?? 0)
        }
    }

    /// The kept body of one refused delivery (nil: none kept, or no such refusal).
    public func refusedBody(id: Int64) throws -> [UInt8]? {
        try dbPool.read { db in
            try db.firstByteRow("SELECT raw IS NOT NULL AS kept, raw FROM refused_delivery WHERE id = ?", [.int(id)]) { row in
                row.bool("kept") ? row.blob("raw") : nil
            } ?? nil
        }
    }

    /// A page of the audit trail at `window` (oldest first among them, as `auditTrail` orders
    /// them), only entries whose field or user contains `search` (ASCII case ignored) when
    /// given; how many match in all and how many matching ones are newer than the page.
    public func auditPage(_ window: RowWindow, search: String?, limit: Int) throws -> (entries: [AuditEntry], total: Int, above: Int) {
        try dbPool.read { db in
            var filter = "1"
            var arguments: [ByteValue] = []
            if let search, !search.isEmpty {
                filter = "(instr(lower(field), lower(?)) > 0 OR instr(lower(user), lower(?)) > 0)"
                arguments = [.text(search), .text(search)]
            }
            let newestFirst = try Self.keysetPage(db, "SELECT * FROM config_audit", filter: filter, arguments: arguments, window, limit) { row in
                AuditEntry(id: row.int("id"), at: Timestamp(millisecondsSince1970: row.int("at")), user: row.text("user"), origin: row.text("origin"),
                           field: row.text("field"), old: row.optionalText("old"), new: row.optionalText("new"),
                           result: AuditEntry.Result(rawValue: row.text("result")) ?? .refused, detail: row.optionalText("detail"))
            }
            let total = try db.firstByteRow("SELECT count(*) AS n FROM config_audit WHERE \(filter)", arguments) { Int($0.int("n")) } ?? 0
            let above = try db.firstByteRow("SELECT count(*) AS n FROM config_audit WHERE \(filter) AND id > ?",
                                            arguments + [.int(Self.aboveAnchor(window, first: newestFirst.first?.id))]) { Int($0.int("n")) } ?? 0
            return (newestFirst.reversed(), total, above)
        }
    }

    /// The newest `limit` audit entries (oldest first among them, as `auditTrail` orders them)
    /// and how many there are in all: the console never loads the whole trail.
    public func auditTrailNewest(limit: Int) throws -> (entries: [AuditEntry], total: Int) {
        try dbPool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM config_audit ORDER BY id DESC LIMIT ?", arguments: [max(1, limit)])
            let entries = rows.reversed().map { row in
                AuditEntry(id: row["id"], at: Timestamp(millisecondsSince1970: row["at"]), user: row["user"], origin: row["origin"],
                           field: row["field"], old: row["old"], new: row["new"], result: AuditEntry.Result(rawValue: row["result"]) ?? .refused,
                           detail: row["detail"])
            }
            return (entries, try Int.fetchOne(db, sql: "SELECT count(*) FROM config_audit") ?? 0)
        }
    }
}
