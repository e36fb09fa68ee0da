import CleoDomain
import GRDB
import GRDBSQLite

/// The event row holds only what its raw line does not (issue 9, "Speed"): the transaction, the
/// log file (a small integer into `event_file`, not the path again on every row), the line and
/// offset, the apply time when the line gave none (NULL: the line's own `receivedAt`), what the
/// rules decided (duplicate, late, notes) and the raw line. Statuses, message, error code, event
/// id and the content key are re-derived from the raw line by the scanner that accepted it, a
/// page at a time. Rows a build before v4 stored whose raw line does not re-derive to what was
/// stored keep their stored values in `event_legacy` (none is written since).
extension AppDatabase {
    /// The columns an `EventRecord` is read from, with `x'' AS raw` when the caller does not
    /// want the raw line kept (it is still read, to derive the fields, and dropped).
    static func eventColumns(keepRaw: Bool) -> String {
        """
        e.id, f.path AS file, e.line, e.offset, e.received_at, e.duplicate, e.late, e.notes, e.raw, \(keepRaw ? 1 : 0) AS keep_raw,
        l.id AS legacy, l.received_at_given AS legacy_given, l.transaction_status AS legacy_transaction_status,
        l.status AS legacy_status, l.message AS legacy_message, l.error_code AS legacy_error_code, l.event_id AS legacy_event_id
        """
    }

    /// The event table with its file path and its legacy values (if any); each join is by primary key.
    static let eventFrom = "event e JOIN event_file f ON f.id = e.file_id LEFT JOIN event_legacy l ON l.id = e.id"

    /// A read without raw lines (the console's timeline pages) keeps this many bytes of each
    /// message: a message may be up to 1 MiB, and a page of 500 events kept whole was up to
    /// 500 MiB of memory. The raw view (`r`) reads the line whole.
    static let messageExcerptBytes = 4_096

    /// `text` whole when it fits in `limit` bytes of UTF-8, else its first whole characters
    /// within them and how many bytes are left out.
    static func excerpt(_ text: String?, bytes limit: Int) -> String? {
        guard let text, text.utf8.count > limit else { return text }
        // Back from `limit` bytes to the start of the character it falls in.
        var end = text.utf8.index(text.utf8.startIndex, offsetBy: limit)
        while end.samePosition(in: text.unicodeScalars) == nil { end = text.utf8.index(before: end) }
        let kept = text.utf8.distance(from: text.utf8.startIndex, to: end)
        return String(text.unicodeScalars[..<end]) + " … (\(text.utf8.count - kept) bytes more: the raw line has it whole)"
    }

    /// An event as the timeline shows it: the derived fields from its raw line (or its legacy row).
    static func eventRecord(_ row: ByteRow) throws -> EventRecord {
        var record = try fullEventRecord(row)
        if !row.bool("keep_raw") { record.message = excerpt(record.message, bytes: messageExcerptBytes) }
        return record
    }

    private static func fullEventRecord(_ row: ByteRow) throws -> EventRecord {
        let rowID = row.int("id")
        let storedAt = row.optionalInt("received_at")
        var record = EventRecord(file: row.text("file"), line: row.int("line"), offset: row.int("offset"),
                                 receivedAt: Timestamp(millisecondsSince1970: storedAt ?? 0), receivedAtGiven: storedAt == nil,
                                 status: .pending, rawStatus: "", message: nil, errorCode: nil, eventID: nil,
                                 duplicate: row.bool("duplicate"), late: row.bool("late"), notes: row.optionalText("notes"),
                                 raw: row.bool("keep_raw") ? row.blob("raw") : [], rowID: rowID)
        if row.optionalInt("legacy") != nil {
            record.receivedAtGiven = row.bool("legacy_given")
            record.status = TransactionStatus(rawValue: row.text("legacy_transaction_status")) ?? .pending
            record.rawStatus = row.text("legacy_status")
            record.message = row.optionalText("legacy_message")
            record.errorCode = row.optionalText("legacy_error_code")
            record.eventID = row.optionalText("legacy_event_id")
            return record
        }
        let event = try derivedEvent(row, rowID)
        record.status = event.status
        record.rawStatus = event.rawStatus
        record.message = event.message
        record.errorCode = event.errorCode
        record.eventID = event.eventID
        if storedAt == nil, let at = event.receivedAt { record.receivedAt = at }
        return record
    }

    /// The event its raw line holds, by the scanner that accepted it.
    static func derivedEvent(_ row: ByteRow, _ rowID: Int64) throws -> WebhookEvent {
        let verdict = row.withBlob("raw") { WebhookLineParser.parse($0) }
        guard case .accepted(let event) = verdict else { throw EventRowUnreadable(rowID: rowID) }
        return event
    }

    /// A transaction's history (rule 6: event ids and content keys of its non-duplicate events),
    /// from the raw lines: what a cache miss of the writer loads.
    static func eventHistory(_ db: Database, txSeq: Int64) throws -> EventHistory {
        var history = EventHistory()
        try db.forEachByteRow("""
            SELECT e.id, e.raw, l.id AS legacy, l.event_id AS legacy_event_id, l.signature AS legacy_signature
            FROM event e LEFT JOIN event_legacy l ON l.id = e.id WHERE e.tx_seq = ? AND e.duplicate = 0
            """, [.int(txSeq)]) { row in
            if row.optionalInt("legacy") != nil {
                history.record(eventID: row.optionalText("legacy_event_id"), signature: EventSignature(bytes: row.blob("legacy_signature")))
            } else {
                history.record(try derivedEvent(row, row.int("id")))
            }
            return true
        }
        return history
    }

    /// v4: databases of v1–v3 stored the derived fields and the path on every row. Each row's
    /// raw line is parsed again; a row whose line does not give back exactly what was stored (a
    /// build that cut a text at a NUL, or a scanner since made stricter) keeps its stored values
    /// in `event_legacy`, so every timeline reads as before.
    static func slimEventRows(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE event_file (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
            INSERT INTO event_file(path) SELECT file FROM event GROUP BY file ORDER BY min(id);
            CREATE TABLE event_legacy (
                id INTEGER PRIMARY KEY, received_at_given INTEGER NOT NULL,
                transaction_status TEXT NOT NULL, status TEXT NOT NULL, message TEXT, error_code TEXT, event_id TEXT,
                signature BLOB NOT NULL
            );
            """)
        var legacy: [Int64] = []
        try db.forEachByteRow("""
            SELECT id, raw, received_at, received_at_given, transaction_status, status, message, error_code, event_id, signature
            FROM event ORDER BY id
            """, cached: false) { row in
            let rowID = row.int("id")
            let event = try? derivedEvent(row, rowID)
            let same = event.map { event in
                event.status.rawValue == row.text("transaction_status") && storedTextsMatch(event, row)
                    && (event.receivedAt != nil) == row.bool("received_at_given")
                    && (event.receivedAt.map { $0.millisecondsSince1970 == row.int("received_at") } ?? true)
                    && EventSignature(of: event) == EventSignature(bytes: row.blob("signature"))
            } ?? false
            if !same { legacy.append(rowID) }
            return true
        }
        for rowID in legacy {
            try db.execute(sql: """
                INSERT INTO event_legacy(id, received_at_given, transaction_status, status, message, error_code, event_id, signature)
                SELECT id, received_at_given, transaction_status, status, message, error_code, event_id, signature FROM event WHERE id = ?
                """, arguments: [rowID])
        }
        try db.execute(sql: """
            CREATE TABLE event_v4 (
                id INTEGER PRIMARY KEY,
                tx_seq INTEGER NOT NULL, file_id INTEGER NOT NULL, line INTEGER NOT NULL, offset INTEGER NOT NULL,
                received_at INTEGER,
                duplicate INTEGER NOT NULL, late INTEGER NOT NULL, notes TEXT,
                raw BLOB NOT NULL
            );
            INSERT INTO event_v4(id, tx_seq, file_id, line, offset, received_at, duplicate, late, notes, raw)
                SELECT e.id, e.tx_seq, f.id, e.line, e.offset,
                       CASE WHEN e.received_at_given AND l.id IS NULL THEN NULL ELSE e.received_at END,
                       e.duplicate, e.late, e.notes, e.raw
                FROM event e JOIN event_file f ON f.path = e.file LEFT JOIN event_legacy l ON l.id = e.id ORDER BY e.id;
            DROP TABLE event;
            ALTER TABLE event_v4 RENAME TO event;
            CREATE INDEX event_tx ON event(tx_seq, id);
            """)
    }

    /// The stored texts' bytes equal the derived ones' (`==` on `String` would ignore normalisation).
    private static func storedTextsMatch(_ event: WebhookEvent, _ row: ByteRow) -> Bool {
        func same(_ a: String?, _ b: String?) -> Bool {
            switch (a, b) {
            case (nil, nil): true
            case let (a?, b?): a.utf8.elementsEqual(b.utf8)
            default: false
            }
        }
        return same(event.rawStatus, row.text("status")) && same(event.message, row.optionalText("message"))
            && same(event.errorCode, row.optionalText("error_code")) && same(event.eventID, row.optionalText("event_id"))
    }
}

/// An event row whose raw line the scanner no longer accepts and that has no legacy values:
/// only a scanner made stricter without a migration could leave one.
public struct EventRowUnreadable: Error, CustomStringConvertible, Sendable, Equatable {
    public let rowID: Int64
    public var description: String {
        "event \(rowID)'s raw line is no longer accepted by this build's scanner and has no stored values: the build needs a migration"
    }
}
