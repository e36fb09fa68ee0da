import CleoDomain
import Foundation
import GRDB

/// Applies batches of log lines to the database, each batch with its follower position in one
/// `BEGIN IMMEDIATE` transaction, so every line is applied exactly once across crashes and
/// processes. Transaction rows are written once per batch from an in-memory cache, which is
/// dropped whenever another connection has committed (`PRAGMA data_version`).
public final class IngestWriter: IngestSink {
    public let database: AppDatabase
    /// Where batches are written: the pool's writer, or a bulk load's own connection (see `BulkLoad`).
    let connection: any DatabaseWriter
    /// Most transactions kept in memory between batches.
    public var cacheLimit = 30_000
    /// Most bytes of message text the kept transactions may hold: a message may be up to 1 MiB,
    /// and 400 such lines kept 400 MB resident through a load (30,000 transactions fit).
    public var cacheTextLimit = 16 << 20
    /// The message bytes applied to kept transactions since the cache was last emptied: an upper
    /// bound of what their states hold (a replaced message is still counted).
    private var cachedTextBytes = 0
    /// How many transactions are kept in memory (for tests).
    var cachedTransactions: Int { cache.count }

    struct Cached {
        var seq: Int64
        /// Nil only before the transaction's first event is applied.
        var state: TransactionState?
        var history: EventHistory
        /// events-log.md rule 9: the first event's receivedAt, or when it was applied.
        var firstSeenAt: Int64
        /// The running maximum of `firstSeenAt` in seq order (what time filters bound seq by).
        var orderAt: Int64
        var updatedAt: Int64
        var isNew: Bool
        var dirty: Bool

        /// The row's columns as last written (nil for a row not written yet): what an update
        /// compares against to set only what changed.
        var written: Written?

        /// Binds the transaction row — all of `insert` for a new one, else the columns of an update
        /// that changed — and marks the entry written; nil before its first event. Mutating so
        /// that it runs on the entry in place (see `apply`).
        mutating func bindRow(insert: Statement, update: (UpdateColumns) throws -> Statement, db: Database,
                              scratch: BindScratch) throws -> RawStatement? {
            // Read in place: `guard let state` copied the whole state, retaining its every string.
            guard state != nil else { return nil }
            let now = Written(state!)
            if isNew {
                let raw = RawStatement(insert, in: db, scratch: scratch)
                raw.bind(1, seq)
                raw.bind(2, state!.transactionID)
                raw.bind(3, state!.method.rawValue)
                raw.bind(4, state!.userID)
                raw.bind(5, state!.amount?.literal)
                raw.bind(6, state!.amount?.hundredths)
                raw.bind(7, state!.currency?.rawValue)
                raw.bind(8, state!.region?.countryCode)
                raw.bind(9, state!.status.rawValue)
                raw.bind(10, state!.rawStatus)
                raw.bind(11, state!.errorCode)
                raw.bind(12, state!.message)
                raw.bind(13, state!.pspTransactionID)
                raw.bind(14, state!.merchantReference)
                raw.bind(15, Int64(state!.flags.rawValue))
                raw.bind(16, Int64(state!.eventCount))
                raw.bind(17, firstSeenAt)
                raw.bind(18, orderAt)
                raw.bind(19, updatedAt)
                dirty = false
                isNew = false
                written = now
                return raw
            }
            let columns = written.map { now.changes(since: $0) } ?? .all
            let raw = RawStatement(try update(columns), in: db, scratch: scratch)
            var n: Int32 = 1
            func next() -> Int32 { defer { n += 1 }; return n }
            raw.bind(next(), state!.rawStatus)
            raw.bind(next(), state!.errorCode)
            raw.bind(next(), state!.message)
            raw.bind(next(), Int64(state!.eventCount))
            raw.bind(next(), updatedAt)
            if columns.contains(.status) { raw.bind(next(), state!.status.rawValue) }
            if columns.contains(.flags) { raw.bind(next(), Int64(state!.flags.rawValue)) }
            if columns.contains(.fill) {
                raw.bind(next(), state!.amount?.literal)
                raw.bind(next(), state!.amount?.hundredths)
                raw.bind(next(), state!.currency?.rawValue)
                raw.bind(next(), state!.region?.countryCode)
            }
            if columns.contains(.psp) { raw.bind(next(), state!.pspTransactionID) }
            if columns.contains(.reference) { raw.bind(next(), state!.merchantReference) }
            raw.bind(next(), seq)
            dirty = false
            written = now
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
    /// Each id's hash → its seq, so a transaction is found by its rowid without `tx_id` (which a
    /// bulk load builds after the load): the row read by seq is compared byte for byte, and an
    /// id whose hash another id already holds goes to `collidedIDs`. 32 bits of each (8 bytes
    /// a slot, ~19 B a transaction): a shared hash costs one row read, and a seq past 32 bits
    /// gives the map up.
    private var seenIDs: [UInt32: UInt32] = [:]
    private var collidedIDs: [ByteKey: Int64] = [:]
    private var seenIDsComplete = false
    /// About 32 MB of hashes and seqs.
    public var seenIDsLimit = 2_000_000
    private var lastDataVersion: Int64?
    /// Each log path's `event_file` id, as committed (forgotten with the rest on a rollback or
    /// another process's commit, which may have added paths). Keyed by bytes: two names equal
    /// only as Unicode (NFC against NFD) are two files.
    private var fileIDs: [ByteKey: Int64] = [:]
    /// The last path looked up: a batch's lines almost always share one.
    private var lastFile: (path: String, id: Int64)?
    /// Where the hot inserts' text and blobs are copied for binding (see `RawStatement`).
    private let scratch = BindScratch()

    public init(database: AppDatabase) {
        self.database = database
        connection = database.dbPool
    }

    /// A writer on a bulk load's own connection.
    init(database: AppDatabase, connection: any DatabaseWriter) {
        self.database = database
        self.connection = connection
    }

    /// `BEGIN IMMEDIATE` on `connection` (see `AppDatabase.writeImmediate`).
    private func writeImmediate<T>(_ body: (Database) throws -> T) throws -> T {
        try connection.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    /// Without a complete id map, transactions are found through `tx_id`: build it if a bulk
    /// load left it for later (a no-op when it exists).
    static func ensureIDIndex(_ db: Database) throws {
        try db.execute(sql: AppDatabase.idIndexSQL)
    }

    /// The stored position of the log `path` names (see `IngestSink`).
    public func position(path: String, file: (any LogIdentity)? = nil) throws -> FollowerPosition? {
        try connection.read { db in try Self.fetchPosition(db, path: path, file: file) }
    }

    /// The newest notices recorded for the log `path` names (see `IngestSink`).
    public func notices(path: String, limit: Int) throws -> [FollowerNotice] {
        try connection.read { db in
            try AppDatabase.followerNotices(db, key: Self.fetchPosition(db, path: path)?.path ?? path, limit: limit)
        }
    }

    /// Commits `lines` and `newPosition` if the stored position still equals `expected`
    /// (nil: never read, under any name). `notices` are recorded in the same transaction.
    public func apply(_ lines: [LogLine], expected: FollowerPosition?, newPosition: FollowerPosition, file: (any LogIdentity)? = nil,
                      notices: [FollowerNotice] = [], now: Timestamp) throws -> BatchResult {
        do {
            return try applyInTransaction(lines, expected: expected, newPosition: newPosition, file: file, notices: notices, now: now)
        } catch {
            // Rolled back — in the body, or at COMMIT itself (a full disk fails there, after every
            // row was written): memory may hold the batch's effects, which never happened.
            // Keeping them made a retry see the lost batch's events as duplicates (issue 9).
            forgetMemory(tableIsEmpty: false)
            lastDataVersion = nil
            throw error
        }
    }

    private func applyInTransaction(_ lines: [LogLine], expected: FollowerPosition?, newPosition: FollowerPosition, file: (any LogIdentity)?,
                                    notices: [FollowerNotice], now: Timestamp) throws -> BatchResult {
        try writeImmediate { db in
            let stored = try Self.fetchPosition(db, path: newPosition.path)
            switch (stored, expected) {
            case (nil, nil):
                // Another follower may have started this very file under another name.
                if let file, let other = try Self.fetchPosition(db, identity: file) { return .positionMoved(current: other) }
            case let (s?, e?) where s.sameSpot(as: e): break
            default: return .positionMoved(current: stored)
            }
            let version = try Int64.fetchOne(db, sql: "PRAGMA data_version")
            if version != lastDataVersion {
                // Only a database with no transactions lets "not seen" mean "new".
                forgetMemory(tableIsEmpty: try Int64.fetchOne(db, sql: "SELECT seq FROM tx LIMIT 1") == nil)
                if !seenIDsComplete { try Self.ensureIDIndex(db) }
            }
            var summary = try write(lines, db: db, now: now)
            var position = newPosition
            position.counts = (stored?.counts ?? FollowerCounts()) + summary.counts
            position.lastEventAt = summary.counts.events > 0 ? now : stored?.lastEventAt
            position.updatedAt = now
            try Self.savePosition(db, position, exists: stored != nil)
            for notice in notices {
                try db.execute(sql: "INSERT INTO follower_notice(at, path, kind, detail) VALUES (?, ?, ?, ?)",
                               arguments: [notice.at.millisecondsSince1970, newPosition.path, notice.kind.rawValue, notice.detail])
            }
            lastDataVersion = version
            summary.endOffset = newPosition.offset
            summary.position = position
            return .applied(summary)
        }
    }

    /// Drops what this process remembers of the table, which another process (or a rolled-back
    /// batch) may have changed; the seen-ids set starts over only for an empty table.
    private func forgetMemory(tableIsEmpty: Bool) {
        cache.removeAll(keepingCapacity: true)
        cachedTextBytes = 0
        fileIDs = [:]
        lastFile = nil
        forgetSeenIDs()
        seenIDsComplete = tableIsEmpty
    }

    private func forgetSeenIDs() {
        seenIDs = [:]
        collidedIDs = [:]
        seenIDsComplete = false
    }

    private func write(_ lines: [LogLine], db: Database, now: Timestamp) throws -> BatchSummary {
        var summary = BatchSummary()
        let newest = try Row.fetchOne(db, sql: "SELECT seq, order_at FROM tx ORDER BY seq DESC LIMIT 1")
        var nextSeq = (newest?["seq"] as Int64? ?? 0) + 1
        // A new transaction's time is its first event's receivedAt (rule 9); `order_at` keeps the
        // running maximum and `time_disorder` how far below it a time ever fell, so time filters
        // still become seq ranges (see `AppDatabase.whereClause`).
        var orderAt = newest?["order_at"] as Int64? ?? Int64.min
        let storedDisorder = try AppDatabase.timeDisorder(db)
        var disorder = storedDisorder
        let insertEvent = try db.cachedStatement(sql: """
            INSERT INTO event(tx_seq, file_id, line, offset, received_at, duplicate, late, notes, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
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
                    let row = RawStatement(insertRejected, in: db, scratch: scratch)
                    row.bind(1, lines[index].file)
                    row.bind(2, lines[index].line)
                    row.bind(3, lines[index].offset)
                    row.bind(4, rejection.code.rawValue)
                    row.bind(5, rejection.message)
                    row.bind(6, blob: raw)
                    row.bind(7, Int64(lines[index].fullLength ?? lines[index].bytes.count))
                    row.bind(8, now.millisecondsSince1970)
                    try row.step()
                case .accepted(let event):
                    summary.counts.events += 1
                    let key = lines[index].transactionKey ?? ByteKey(event.transactionID)
                    let receivedAt = event.receivedAt?.millisecondsSince1970 ?? now.millisecondsSince1970
                    let firstSeenAt = receivedAt
                    var slot = cache.index(forKey: key)
                    if slot == nil {
                        var entry: Cached?
                        var hashTaken = false
                        if !seenIDsComplete {
                            entry = try load(db, id: event.transactionID)
                        } else if let seq = collidedIDs[key] {
                            entry = try load(db, seq: seq)?.cached
                        } else if let seq = seenIDs[UInt32(truncatingIfNeeded: key.bytesHash)].map(Int64.init) {
                            // Another id may share the hash (its row, read by seq, says whose it is;
                            // a row not written yet is in `cache`, so not this id's).
                            entry = try load(db, seq: seq).flatMap { $0.id.sameBytes(as: event.transactionID) ? $0.cached : nil }
                            hashTaken = entry == nil
                        }
                        if entry == nil {
                            summary.newTransactions += 1
                            if seenIDsComplete {
                                if hashTaken { collidedIDs[key] = nextSeq } else { seenIDs[UInt32(truncatingIfNeeded: key.bytesHash)] = UInt32(truncatingIfNeeded: nextSeq) }
                                if seenIDs.count > seenIDsLimit || nextSeq >= Int64(UInt32.max) {
                                    forgetSeenIDs()
                                    try Self.ensureIDIndex(db)
                                }
                            }
                        }
                        if entry == nil {
                            orderAt = max(orderAt, firstSeenAt)
                            disorder = max(disorder, orderAt - firstSeenAt)
                        }
                        cache[key] = entry ?? Cached(seq: nextSeq, state: nil, history: EventHistory(), firstSeenAt: firstSeenAt,
                                                     orderAt: orderAt, updatedAt: receivedAt, isNew: true, dirty: false, written: nil)
                        if entry == nil { nextSeq += 1 }
                        slot = cache.index(forKey: key)
                    }
                    let i = slot!
                    let (outcome, seq, firstChange) = cache.values[i].apply(event, signature: lines[index].signature, receivedAt: receivedAt)
                    cachedTextBytes += event.message?.utf8.count ?? 0
                    if firstChange { changed.append(key) }
                    if outcome.duplicate { summary.counts.duplicates += 1 }
                    if outcome.late { summary.counts.late += 1 }
                    let fileID = try fileID(db, lines[index].file)
                    // Only what the raw line does not hold (see `AppDatabase.eventColumns`).
                    let raw = RawStatement(insertEvent, in: db, scratch: scratch)
                    raw.bind(1, seq)
                    raw.bind(2, fileID)
                    raw.bind(3, lines[index].line)
                    raw.bind(4, lines[index].offset)
                    let appliedAt: Int64? = event.receivedAt == nil ? receivedAt : nil  // NULL: the line's own
                    raw.bind(5, appliedAt)
                    raw.bind(6, outcome.duplicate)
                    raw.bind(7, outcome.late)
                    raw.bind(8, outcome.notes)
                    // The line's bytes stay in `lines` until the row is stepped: bound in place,
                    // not copied into the scratch buffer (400 bytes an event).
                    try lines[index].bytes.withUnsafeBytes { bytes in
                        raw.bind(9, inPlace: bytes)
                        try raw.step()
                    }
                }
            }
        }
        try flush(db, changed: changed)
        if disorder > storedDisorder {
            try db.execute(sql: "INSERT OR REPLACE INTO meta_int(key, value) VALUES ('time_disorder', ?)", arguments: [disorder])
        }
        if cache.count > cacheLimit || cachedTextBytes > cacheTextLimit {
            cache.removeAll(keepingCapacity: true)
            cachedTextBytes = 0
        }
        return summary
    }

    /// The `event_file` id of `path`, added the first time it is seen.
    private func fileID(_ db: Database, _ path: String) throws -> Int64 {
        if let lastFile, lastFile.path.sameBytes(as: path) { return lastFile.id }
        let key = ByteKey(path)
        let id: Int64
        if let known = fileIDs[key] {
            id = known
        } else if let found = try db.firstByteRow("SELECT id FROM event_file WHERE path = ?", [.text(path)], { $0.int("id") }) {
            id = found
        } else {
            let insert = RawStatement(try db.cachedStatement(sql: "INSERT INTO event_file(path) VALUES (?)"), in: db)
            insert.bind(1, path)
            try insert.step()
            id = db.lastInsertedRowID
        }
        fileIDs[key] = id
        lastFile = (path, id)
        return id
    }

    /// Writes each changed transaction row once: an insert for a new one, else an update of
    /// what changed.
    private func flush(_ db: Database, changed: [ByteKey]) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO tx(seq, id, method, user_id, amount, amount_hundredths, currency, country, status, raw_status,
                           error_code, message, psp_id, merchant_ref, flags, event_count, first_seen_at, order_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let update = { (columns: UpdateColumns) in try db.cachedStatement(sql: columns.updateSQL) }
        for key in changed {
            guard let i = cache.index(forKey: key),
                  let row = try cache.values[i].bindRow(insert: insert, update: update, db: db, scratch: scratch) else { continue }
            try row.step()
        }
    }

    /// Loads a transaction and its event history from the database, the id bound and every
    /// text read by its bytes (an id with a NUL is its own transaction; see `ByteRow`).
    private func load(_ db: Database, id: String) throws -> Cached? {
        try load(db, AppDatabase.transactionByID, [.text(id), .text(id)])?.cached
    }

    /// The transaction whose seq the id map holds, with its id to compare.
    private func load(_ db: Database, seq: Int64) throws -> (id: String, cached: Cached)? {
        try load(db, "SELECT * FROM tx WHERE seq = ?", [.int(seq)])
    }

    private func load(_ db: Database, _ sql: String, _ arguments: [ByteValue]) throws -> (id: String, cached: Cached)? {
        guard let (record, orderAt) = try db.firstByteRow(sql, arguments, {
            (AppDatabase.record($0), $0.int("order_at"))
        }) else { return nil }
        let history = try AppDatabase.eventHistory(db, txSeq: record.seq)
        let state = TransactionState(record)
        return (record.id, Cached(seq: record.seq, state: state, history: history, firstSeenAt: record.firstSeenAt.millisecondsSince1970,
                                  orderAt: orderAt, updatedAt: record.updatedAt.millisecondsSince1970, isNew: false, dirty: false,
                                  written: Written(state)))
    }

    /// The position recorded on `file` under any key, else (with `path`) the one keyed by `path`.
    static func fetchPosition(_ db: Database, path: String, file: (any LogIdentity)?) throws -> FollowerPosition? {
        if let file, let found = try fetchPosition(db, identity: file) { return found }
        return try fetchPosition(db, path: path)
    }

    /// The position recorded on this very file (same identity and first bytes), whatever its key.
    static func fetchPosition(_ db: Database, identity file: any LogIdentity) throws -> FollowerPosition? {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM follower WHERE device = ? AND inode = ? ORDER BY updated_at DESC",
                                    arguments: [Int64(bitPattern: file.device), Int64(bitPattern: file.inode)])
        return rows.lazy.map(position).first { file.isFile(of: $0) }
    }

    static func fetchPosition(_ db: Database, path: String) throws -> FollowerPosition? {
        try Row.fetchOne(db, sql: "SELECT * FROM follower WHERE path = ?", arguments: [path]).map(position)
    }

    static func position(_ row: Row) -> FollowerPosition {
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

    /// Saves the position: an update in place when the row exists (`INSERT OR REPLACE` deletes
    /// and re-inserts it, rewriting its primary-key index on every commit).
    static func savePosition(_ db: Database, _ p: FollowerPosition, exists: Bool) throws {
        let values: StatementArguments = [
            p.file, Int64(bitPattern: p.device), Int64(bitPattern: p.inode), p.headLength, Data(p.headHash),
            p.offset, p.nextLine, p.observedSize, p.counts.linesApplied, p.counts.events, p.counts.duplicates,
            p.counts.late, p.counts.rejected, p.counts.blank, p.lastEventAt?.millisecondsSince1970, p.updatedAt.millisecondsSince1970,
            p.path,
        ]
        if exists {
            try db.cachedStatement(sql: """
                UPDATE follower SET file = ?, device = ?, inode = ?, head_length = ?, head_hash = ?, offset = ?, next_line = ?,
                    observed_size = ?, lines_applied = ?, events = ?, duplicates = ?, late = ?, rejected = ?, blank = ?,
                    last_event_at = ?, updated_at = ?
                WHERE path = ?
                """).execute(arguments: values)
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO follower(file, device, inode, head_length, head_hash, offset, next_line, observed_size,
                    lines_applied, events, duplicates, late, rejected, blank, last_event_at, updated_at, path)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: values)
        }
    }
}
