import CleoDomain
import CleoIngest
@testable import CleoStore
import Foundation
import GRDB
import Testing

/// v4 (issue 9, "Speed"): the event row keeps only what its raw line does not hold. A database
/// the v1–v3 schema wrote migrates and reads back exactly the EventRecords it held — texts with
/// NULs, a CRLF line, an invalid-UTF-8 line and texts a build once cut at a NUL included — and
/// the writer's history, re-derived from raw lines, still finds duplicates.
@Suite struct SlimEventRowTests {
    let folder: String
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-slim-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// One event as the v1–v3 writer stored it: every column, texts as exact bytes.
    struct OldRow {
        var file: String
        var line: Int64
        var receivedAt: Int64
        var given: Bool
        var transactionStatus: String
        var status: [UInt8]
        var message: [UInt8]?
        var errorCode: [UInt8]?
        var eventID: [UInt8]?
        var signature: [UInt8]
        var duplicate = false
        var late = false
        var notes: String?
        var raw: [UInt8]

        /// What the old reader made of the row (`eventRecord` mapped each column as it was).
        func record(rowID: Int64, keepRaw: Bool) -> EventRecord {
            func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
            return EventRecord(file: file, line: line, offset: line * 1000, receivedAt: Timestamp(millisecondsSince1970: receivedAt),
                               receivedAtGiven: given, status: TransactionStatus(rawValue: transactionStatus)!, rawStatus: text(status)!,
                               message: text(message), errorCode: text(errorCode), eventID: text(eventID), duplicate: duplicate,
                               late: late, notes: notes, raw: keepRaw ? raw : [], rowID: rowID)
        }
    }

    static let nul = "\\u0000"

    static func line(_ status: String, _ rawStatus: String, extra: String) -> [UInt8] {
        Array("{\"transaction_id\":\"ORDER-77\(nul)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"\(status)\",\"status\":\"\(rawStatus)\",\"user_id\":\"u\(nul)x\",\"amount\":\"10.00\",\"currency\":\"CLP\"\(extra)}".utf8)
    }

    /// The rows as the old writer stored them (its signature the rule's content key of the line).
    static func oldRows() -> [OldRow] {
        func signature(_ raw: [UInt8]) -> [UInt8] {
            guard case .accepted(let event) = WebhookLineParser.parse(raw) else { return Array(repeating: 7, count: 16) }
            return EventSignature(of: event).withBytes { Array($0) }
        }
        let given = RFC3339.parse("2026-11-30T10:00:01Z")!.millisecondsSince1970
        // receivedAt given, NULs escaped in the message, event id and raw status, a CRLF line.
        let first = line("Pending", "WAIT\(nul)", extra: ",\"message\":\"m\(nul)x\",\"eventId\":\"e\(nul)1\",\"receivedAt\":\"2026-11-30T10:00:01Z\"") + [0x0D]
        // no receivedAt: the apply time; another file.
        let second = line("Approved", "OK", extra: ",\"errorCode\":\"E\(nul)\"")
        // a message an old build cut at the NUL: its stored value differs from the raw line's.
        let cut = line("Declined", "NO", extra: ",\"message\":\"ok\(nul)!\",\"eventId\":\"e2\"")
        // raw bytes that are not UTF-8 (not accepted by today's scanner): kept as stored.
        var invalid = line("Pending", "LATE", extra: ",\"message\":\"bad\"")
        invalid.insert(0xFF, at: invalid.count - 3)
        return [
            OldRow(file: "/logs/a.jsonl", line: 1, receivedAt: given, given: true, transactionStatus: "Pending", status: Array("WAIT\u{0}".utf8),
                   message: Array("m\u{0}x".utf8), eventID: Array("e\u{0}1".utf8), signature: signature(first), raw: first),
            OldRow(file: "/logs/b.jsonl", line: 2, receivedAt: 1_790_000_000_123, given: false, transactionStatus: "Approved",
                   status: Array("OK".utf8), errorCode: Array("E\u{0}".utf8), signature: signature(second), notes: "MISMATCH user", raw: second),
            OldRow(file: "/logs/a.jsonl", line: 3, receivedAt: 1_790_000_000_200, given: false, transactionStatus: "Declined",
                   status: Array("NO".utf8), message: Array("ok".utf8), eventID: Array("e2".utf8), signature: signature(cut), raw: cut),
            OldRow(file: "/logs/a.jsonl", line: 4, receivedAt: 1_790_000_000_300, given: false, transactionStatus: "Pending",
                   status: Array("LATE".utf8), message: Array("bad".utf8), signature: signature(invalid), late: true, raw: invalid),
        ]
    }

    /// A v3 database holding `rows` of one transaction, written as the v1–v3 writer wrote them.
    func oldDatabase(_ rows: [OldRow]) throws -> String {
        let path = (folder as NSString).appendingPathComponent("old.db")
        let queue = try DatabaseQueue(path: path)
        try AppDatabase.migrator.migrate(queue, upTo: "v3-cashier")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO tx(seq, id, method, user_id, status, raw_status, flags, event_count, first_seen_at, updated_at, order_at)
                VALUES (1, CAST(? AS TEXT), 'CLEO_PAYIN', CAST(? AS TEXT), 'Declined', 'NO', 0, ?, 1790000000000, 1790000000300, 1790000000000)
                """, arguments: [Data("ORDER-77\u{0}".utf8), Data("u\u{0}x".utf8), rows.count])
            for row in rows {
                try db.execute(sql: """
                    INSERT INTO event(tx_seq, file, line, offset, received_at, received_at_given, transaction_status, status, message,
                                      error_code, event_id, signature, duplicate, late, notes, raw)
                    VALUES (1, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), ?, ?, ?, ?, ?)
                    """, arguments: [row.file, row.line, row.line * 1000, row.receivedAt, row.given, row.transactionStatus, Data(row.status),
                                     row.message.map { Data($0) }, row.errorCode.map { Data($0) }, row.eventID.map { Data($0) },
                                     Data(row.signature), row.duplicate, row.late, row.notes, Data(row.raw)])
            }
        }
        try queue.close()
        return path
    }

    @Test func aV3DatabaseMigratesAndReadsBackTheSameEvents() throws {
        let rows = Self.oldRows()
        let path = try oldDatabase(rows)
        let database = try AppDatabase.open(path: path)
        let whole = rows.enumerated().map { $1.record(rowID: Int64($0 + 1), keepRaw: true) }
        let (_, events) = try #require(try database.transaction(id: "ORDER-77\u{0}"))
        #expect(events == whole)
        let page = try database.timeline(txSeq: 1, window: .newest, limit: 10)
        #expect(page.events == rows.enumerated().map { $1.record(rowID: Int64($0 + 1), keepRaw: false) })
        #expect(page.total == 4 && page.after == 0)
        guard case .loaded(_, let newest, let total) = try database.transactionDetail(id: "ORDER-77\u{0}", knownEventCount: nil, eventLimit: 2)
        else { Issue.record("not loaded"); return }
        #expect(newest == Array(page.events.suffix(2)) && total == 4)
        #expect(try database.eventRaw(rowID: 4) == rows[3].raw)

        try database.dbPool.read { db in
            #expect(try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('event') ORDER BY cid")
                == ["id", "tx_seq", "file_id", "line", "offset", "received_at", "duplicate", "late", "notes", "raw"])
            #expect(try String.fetchAll(db, sql: "SELECT path FROM event_file ORDER BY id") == ["/logs/a.jsonl", "/logs/b.jsonl"])
            // Only the rows whose raw line does not give back what was stored keep it apart.
            #expect(try Int64.fetchAll(db, sql: "SELECT id FROM event_legacy ORDER BY id") == [3, 4])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM event WHERE received_at IS NULL") == 1)
            // The timeline stays on `event_tx`, the joins on primary keys.
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT \(AppDatabase.eventColumns(keepRaw: false)) FROM \(AppDatabase.eventFrom) WHERE e.tx_seq = 1 AND e.id < 9 ORDER BY e.id DESC LIMIT 5")
                .map { $0["detail"] as String }.joined(separator: "\n")
            #expect(plan.contains("USING COVERING INDEX event_tx") || plan.contains("USING INDEX event_tx"), "\(plan)")
            #expect(!plan.contains("SCAN") && !plan.contains("TEMP B-TREE"), "\(plan)")
        }
    }

    /// After the migration a writer's history comes from raw lines and legacy rows: an event id
    /// seen only in a migrated row (and one only in a legacy row) still makes a duplicate.
    @Test func theHistoryOfAMigratedTransactionStillFindsDuplicates() throws {
        let path = try oldDatabase(Self.oldRows())
        let database = try AppDatabase.open(path: path)
        let writer = IngestWriter(database: database)
        let lines = [
            Self.line("Approved", "OK", extra: ",\"message\":\"x\",\"eventId\":\"e\(Self.nul)1\""),  // the first row's id: a duplicate
            Self.line("Approved", "OK", extra: ",\"message\":\"x\",\"eventId\":\"e2\""),  // the legacy row's id: a duplicate
            Self.line("Approved", "OK", extra: ",\"message\":\"x\",\"eventId\":\"e\""),  // cut at the NUL: not one
            Self.line("Approved", "OK", extra: ",\"errorCode\":\"E\(Self.nul)\""),  // the second row's content, no id: a duplicate
        ].enumerated().map { LogLine.parsed(file: "/logs/c.jsonl", line: Int64($0 + 1), offset: Int64($0 * 500), bytes: $1) }
        let position = FollowerPosition(path: "/logs/c.jsonl", file: "/logs/c.jsonl", device: 1, inode: 2, headLength: 0, headHash: [],
                                        offset: 2000, nextLine: 5, observedSize: 2000, updatedAt: Timestamp(millisecondsSince1970: 1_790_000_001_000))
        guard case .applied(let summary) = try writer.apply(lines, expected: nil, newPosition: position,
                                                            now: Timestamp(millisecondsSince1970: 1_790_000_001_000)) else {
            Issue.record("position moved")
            return
        }
        #expect(summary.counts.duplicates == 3)
        let (_, events) = try #require(try database.transaction(id: "ORDER-77\u{0}"))
        #expect(events.map(\.duplicate) == [false, false, false, false, true, true, false, true])
        #expect(events.suffix(4).map(\.file) == Array(repeating: "/logs/c.jsonl", count: 4))
        #expect(events[6].eventID == "e" && events[6].receivedAtGiven == false
            && events[6].receivedAt == Timestamp(millisecondsSince1970: 1_790_000_001_000))
    }
}
