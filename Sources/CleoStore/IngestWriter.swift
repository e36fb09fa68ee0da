import CleoDomain
import Foundation
import GRDB

/// Applies batches of log lines to the database, each batch with its follower position in one
/// `BEGIN IMMEDIATE` transaction, so every line is applied exactly once across crashes and
/// processes. Transaction rows are written once per batch from an in-memory cache, which is
/// dropped whenever another connection has committed (`PRAGMA data_version`).
public final class IngestWriter {
    public let database: AppDatabase
    /// Most transactions kept in memory between batches.
    public var cacheLimit = 30_000

    struct Cached {
        var seq: Int64
        /// Nil only before the transaction's first event is applied.
        var state: TransactionState?
        var history: EventHistory
        var firstSeenAt: Int64
        var updatedAt: Int64
        var isNew: Bool
        var dirty: Bool

        /// Binds the transaction row — all of `insert` for a new one, else `update`'s — and marks
        /// the entry written; nil before its first event. Mutating so that it runs on the entry
        /// in place (see `apply`).
        mutating func bindRow(insert: Statement, update: Statement, db: Database, scratch: BindScratch) -> RawStatement? {
            guard case .some = state else { return nil }
            let raw = RawStatement(isNew ? insert : update, in: db, scratch: scratch)
            var n: Int32 = 1
            func next() -> Int32 { defer { n += 1 }; return n }
            if isNew {
                raw.bind(next(), seq)
                raw.bind(next(), state!.transactionID)
                raw.bind(next(), state!.method.rawValue)
                raw.bind(next(), state!.userID)
            }
            raw.bind(next(), state!.amount?.literal)
            raw.bind(next(), state!.amount?.hundredths)
            raw.bind(next(), state!.currency?.rawValue)
            raw.bind(next(), state!.region?.countryCode)
            raw.bind(next(), state!.status.rawValue)
            raw.bind(next(), state!.rawStatus)
            raw.bind(next(), state!.errorCode)
            raw.bind(next(), state!.message)
            raw.bind(next(), state!.pspTransactionID)
            raw.bind(next(), state!.merchantReference)
            raw.bind(next(), Int64(state!.flags.rawValue))
            raw.bind(next(), Int64(state!.eventCount))
            if isNew { raw.bind(next(), firstSeenAt) }
            raw.bind(next(), updatedAt)
            if !isNew { raw.bind(next(), seq) }
            dirty = false
            isNew = false
            return raw
        }

        /// Marks the entry changed; `firstChange` when it was not yet (a duplicate still changes
        /// event_count). Returns the seq too: any read of the entry through the dictionary
        /// (`cache.values[i].seq`) copies it whole, retaining every string it holds.
        mutating func apply(_ event: WebhookEvent, signature: EventSignature?, receivedAt: Int64)
            -> (outcome: EventOutcome, seq: Int64, firstChange: Bool) {
            let outcome = TransactionRules.apply(event, signature: signature, to: &state, history: &history)
            if !outcome.duplicate { updatedAt = max(updatedAt, receivedAt) }
            defer { dirty = true }
            return (outcome, seq, !dirty)
        }
    }

    private var cache: [ByteKey: Cached] = [:]
    /// Hashes of every id this process has seen while it was the only writer: an id not in it is
    /// certainly new, so no lookup is spent on it. Invalid after another process commits, and
    /// given up past `seenIDsLimit` (a console following a busy log for months would otherwise
    /// grow it without end; past it, each new id costs one `tx_id` lookup).
    private var seenIDs: Set<Int> = []
    private var seenIDsComplete = false
    /// About 32 MB of hashes.
    public var seenIDsLimit = 2_000_000
    private var lastDataVersion: Int64?
    /// Where the hot inserts' text and blobs are copied for binding (see `RawStatement`).
    private let scratch = BindScratch()

    public init(database: AppDatabase) { self.database = database }

    /// The stored position of `path`, if the log was ever read.
    public func position(path: String) throws -> FollowerPosition? {
        try database.dbPool.read { db in try Self.fetchPosition(db, path: path) }
    }

    /// Commits `lines` and `newPosition` if the stored position still equals `expected`
    /// (nil: never read). `notices` are recorded in the same transaction.
    public func apply(_ lines: [LogLine], expected: FollowerPosition?, newPosition: FollowerPosition,
                      notices: [FollowerNotice] = [], now: Timestamp) throws -> BatchResult {
        try database.writeImmediate { db in
            let stored = try Self.fetchPosition(db, path: newPosition.path)
            switch (stored, expected) {
            case (nil, nil): break
            case let (s?, e?) where s.sameSpot(as: e): break
            default: return .positionMoved(current: stored)
            }
            let version = try Int64.fetchOne(db, sql: "PRAGMA data_version")
            if version != lastDataVersion {
                // Only a database with no transactions lets "not seen" mean "new".
                forgetMemory(tableIsEmpty: try Int64.fetchOne(db, sql: "SELECT seq FROM tx LIMIT 1") == nil)
            }
            var summary = BatchSummary()
            do {
                summary = try write(lines, db: db, now: now)
                var position = newPosition
                position.counts = (stored?.counts ?? FollowerCounts()) + summary.counts
                if summary.counts.events > 0 {
                    position.lastEventAt = now
                } else {
                    position.lastEventAt = stored?.lastEventAt
                }
                position.updatedAt = now
                try Self.savePosition(db, position)
                for notice in notices {
                    try db.execute(sql: "INSERT INTO follower_notice(at, path, kind, detail) VALUES (?, ?, ?, ?)",
                                   arguments: [now.millisecondsSince1970, newPosition.path, notice.kind.rawValue, notice.detail])
                }
            } catch {
                forgetMemory(tableIsEmpty: false)  // the transaction rolls back: memory may hold its effects
                lastDataVersion = nil
                throw error
            }
            lastDataVersion = version
            summary.endOffset = newPosition.offset
            return .applied(summary)
        }
    }

    /// Drops what this process remembers of the table, which another process (or a rolled-back
    /// batch) may have changed; the seen-ids set starts over only for an empty table.
    private func forgetMemory(tableIsEmpty: Bool) {
        cache.removeAll(keepingCapacity: true)
        forgetSeenIDs()
        seenIDsComplete = tableIsEmpty
    }

    private func forgetSeenIDs() {
        seenIDs = []
        seenIDsComplete = false
    }

    private func write(_ lines: [LogLine], db: Database, now: Timestamp) throws -> BatchSummary {
        var summary = BatchSummary()
        let newest = try Row.fetchOne(db, sql: "SELECT seq, first_seen_at FROM tx ORDER BY seq DESC LIMIT 1")
        var nextSeq = (newest?["seq"] as Int64? ?? 0) + 1
        // First-seen times never go backwards, so seq order and time order agree (range filters
        // become seq ranges).
        let firstSeenAt = max(now.millisecondsSince1970, newest?["first_seen_at"] as Int64? ?? 0)
        let insertEvent = try db.cachedStatement(sql: """
            INSERT INTO event(tx_seq, file, line, offset, received_at, received_at_given, transaction_status, status,
                              message, error_code, event_id, signature, duplicate, late, notes, raw)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let insertRejected = try db.cachedStatement(sql: """
            INSERT INTO rejected(file, line, offset, code, message, raw, raw_length, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        // Each changed transaction once, in the order it first changed: new ones in seq order.
        var changed: [ByteKey] = []
        // Lines are read in place through the buffer: `for line in lines` copied each one,
        // retaining its every string.
        try lines.withUnsafeBufferPointer { lines in
            for index in lines.indices {
                summary.counts.linesApplied += 1
                switch lines[index].verdict {
                case .blank:
                    summary.counts.blank += 1
                case .rejected(let rejection):
                    summary.counts.rejected += 1
                    let raw = lines[index].bytes.count > LogLine.keptRawBytes ? Array(lines[index].bytes.prefix(LogLine.keptRawBytes)) : lines[index].bytes
                    try insertRejected.execute(arguments: [
                        lines[index].file, lines[index].line, lines[index].offset, rejection.code.rawValue, rejection.message,
                        Data(raw), lines[index].fullLength ?? lines[index].bytes.count, now.millisecondsSince1970,
                    ])
                case .accepted(let event):
                    summary.counts.events += 1
                    let key = lines[index].transactionKey ?? ByteKey(event.transactionID)
                    let receivedAt = event.receivedAt?.millisecondsSince1970 ?? now.millisecondsSince1970
                    var slot = cache.index(forKey: key)
                    if slot == nil {
                        let known = !seenIDsComplete || seenIDs.contains(key.bytesHash)
                        let entry = try known ? load(db, id: event.transactionID) : nil
                        if entry == nil {
                            summary.newTransactions += 1
                            if seenIDsComplete {
                                seenIDs.insert(key.bytesHash)
                                if seenIDs.count > seenIDsLimit { forgetSeenIDs() }
                            }
                        }
                        cache[key] = entry ?? Cached(seq: nextSeq, state: nil, history: EventHistory(), firstSeenAt: firstSeenAt,
                                                     updatedAt: receivedAt, isNew: true, dirty: false)
                        if entry == nil { nextSeq += 1 }
                        slot = cache.index(forKey: key)
                    }
                    let i = slot!
                    let (outcome, seq, firstChange) = cache.values[i].apply(event, signature: lines[index].signature, receivedAt: receivedAt)
                    if firstChange { changed.append(key) }
                    if outcome.duplicate { summary.counts.duplicates += 1 }
                    if outcome.late { summary.counts.late += 1 }
                    let raw = RawStatement(insertEvent, in: db, scratch: scratch)
                    raw.bind(1, seq)
                    raw.bind(2, lines[index].file)
                    raw.bind(3, lines[index].line)
                    raw.bind(4, lines[index].offset)
                    raw.bind(5, receivedAt)
                    raw.bind(6, event.receivedAt != nil)
                    raw.bind(7, event.status.rawValue)
                    raw.bind(8, event.rawStatus)
                    raw.bind(9, event.message)
                    raw.bind(10, event.errorCode)
                    raw.bind(11, event.eventID)
                    raw.bind(12, outcome.signature)
                    raw.bind(13, outcome.duplicate)
                    raw.bind(14, outcome.late)
                    raw.bind(15, outcome.notes)
                    raw.bind(16, blob: lines[index].bytes)
                    try raw.step()
                }
            }
        }
        try flush(db, changed: changed)
        if cache.count > cacheLimit { cache.removeAll(keepingCapacity: true) }
        return summary
    }

    /// Writes each changed transaction row once: an insert for a new one, else an update.
    private func flush(_ db: Database, changed: [ByteKey]) throws {
        // The parameters' order is `Cached.bindRow`'s: the update's columns are the insert's
        // from `amount` on, then the seq.
        let insert = try db.cachedStatement(sql: """
            INSERT INTO tx(seq, id, method, user_id, amount, amount_hundredths, currency, country, status, raw_status,
                           error_code, message, psp_id, merchant_ref, flags, event_count, first_seen_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let update = try db.cachedStatement(sql: """
            UPDATE tx SET amount = ?, amount_hundredths = ?, currency = ?, country = ?, status = ?, raw_status = ?,
                          error_code = ?, message = ?, psp_id = ?, merchant_ref = ?, flags = ?, event_count = ?, updated_at = ?
            WHERE seq = ?
            """)
        for key in changed {
            guard let i = cache.index(forKey: key),
                  let row = cache.values[i].bindRow(insert: insert, update: update, db: db, scratch: scratch) else { continue }
            try row.step()
        }
    }

    /// Loads a transaction and its event history from the database.
    private func load(_ db: Database, id: String) throws -> Cached? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tx WHERE id = ?"), arguments: [id]) else {
            return nil
        }
        let state = TransactionState(AppDatabase.record(row))
        var history = EventHistory()
        let events = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT event_id, signature FROM event WHERE tx_seq = ? AND duplicate = 0"),
            arguments: [row["seq"] as Int64])
        while let event = try events.next() {
            history.record(eventID: event["event_id"], signature: EventSignature(bytes: Array(event["signature"] as Data)))
        }
        return Cached(seq: row["seq"], state: state, history: history, firstSeenAt: row["first_seen_at"],
                      updatedAt: row["updated_at"], isNew: false, dirty: false)
    }

    static func fetchPosition(_ db: Database, path: String) throws -> FollowerPosition? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM follower WHERE path = ?", arguments: [path]) else { return nil }
        var counts = FollowerCounts()
        counts.linesApplied = row["lines_applied"]
        counts.events = row["events"]
        counts.duplicates = row["duplicates"]
        counts.late = row["late"]
        counts.rejected = row["rejected"]
        counts.blank = row["blank"]
        return FollowerPosition(
            path: row["path"], file: row["file"], device: UInt64(bitPattern: row["device"]), inode: UInt64(bitPattern: row["inode"]),
            headLength: row["head_length"], headHash: Array(row["head_hash"] as Data), offset: row["offset"],
            nextLine: row["next_line"], observedSize: row["observed_size"], counts: counts,
            lastEventAt: (row["last_event_at"] as Int64?).map(Timestamp.init(millisecondsSince1970:)),
            updatedAt: Timestamp(millisecondsSince1970: row["updated_at"]))
    }

    static func savePosition(_ db: Database, _ p: FollowerPosition) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO follower(path, file, device, inode, head_length, head_hash, offset, next_line, observed_size,
                lines_applied, events, duplicates, late, rejected, blank, last_event_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                p.path, p.file, Int64(bitPattern: p.device), Int64(bitPattern: p.inode), p.headLength, Data(p.headHash),
                p.offset, p.nextLine, p.observedSize, p.counts.linesApplied, p.counts.events, p.counts.duplicates,
                p.counts.late, p.counts.rejected, p.counts.blank, p.lastEventAt?.millisecondsSince1970, p.updatedAt.millisecondsSince1970,
            ])
    }
}
