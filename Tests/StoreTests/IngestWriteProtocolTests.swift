import CleoDomain
import CleoIngest
import CleoStore
import Foundation
import Testing

/// The store's write protocol with two writers on one database (two connections, as two
/// processes have): each must see the other's commits before applying its own batch — the
/// `data_version` check that drops a writer's memory of the table.
@Suite struct IngestWriteProtocolTests {
    let folder: String
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// A writer of its own database connection, following a log of its own name.
    final class Writer {
        let writer: IngestWriter
        let log: String
        var position: FollowerPosition?
        var nextLine: Int64 = 1
        init(_ database: AppDatabase, log: String) {
            writer = IngestWriter(database: database)
            self.log = log
        }

        @discardableResult
        func apply(_ lines: [String], at time: Int64 = 1_790_000_000_000) throws -> BatchSummary {
            var offset = position?.offset ?? 0
            var parsed: [LogLine] = []
            for line in lines {
                parsed.append(.parsed(file: log, line: nextLine, offset: offset, bytes: Array(line.utf8)))
                offset += Int64(line.utf8.count + 1)
                nextLine += 1
            }
            let next = FollowerPosition(path: log, file: log, device: 1, inode: UInt64(abs(log.hashValue) % 1_000_000), headLength: 0,
                                        headHash: [], offset: offset, nextLine: nextLine, observedSize: offset,
                                        updatedAt: Timestamp(millisecondsSince1970: time))
            guard case .applied(let summary) = try writer.apply(parsed, expected: position, newPosition: next, file: nil, notices: [],
                                                                 now: Timestamp(millisecondsSince1970: time)) else {
                Issue.record("position moved")
                return BatchSummary()
            }
            position = next
            return summary
        }
    }

    func line(_ id: String, _ status: String, user: String = "u1", eventID: String? = nil) -> String {
        "{\"transaction_id\":\"\(id)\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"\(status)\",\"status\":\"\",\"user_id\":\"\(user)\""
            + (eventID.map { ",\"eventId\":\"\($0)\"" } ?? "") + "}"
    }

    func twoWriters() throws -> (Writer, Writer, AppDatabase) {
        let path = (folder as NSString).appendingPathComponent("console.db")
        let one = try AppDatabase.open(path: path)
        let two = try AppDatabase.open(path: path)
        return (Writer(one, log: "/a.jsonl"), Writer(two, log: "/b.jsonl"), one)
    }

    @Test func aForeignCommitBetweenTwoBatchesIsSeen() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (a, b, database) = try twoWriters()
        try a.apply([line("T", "Pending")])          // a caches T
        try b.apply([line("T", "Approved")])         // another connection changes it
        try a.apply([line("T", "Declined")])         // a must start from Approved, not its cache
        let (record, events) = try #require(try database.transaction(id: "T"))
        #expect(record.status == .declined)
        #expect(record.flags == .conflict)
        #expect(record.eventCount == 3)
        #expect(events.count == 3)
    }

    @Test func twoWritersCreatingTheSameTransactionMakeOneRow() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (a, b, database) = try twoWriters()
        // Both start on an empty table, where "not seen by me" would mean "new".
        try a.apply([line("N", "Pending")])
        let summary = try b.apply([line("N", "Pending", eventID: "e2"), line("M", "Pending")])
        #expect(summary.newTransactions == 1)
        #expect(try database.transactions(TransactionQuery()).map(\.id) == ["M", "N"])
        #expect(try database.transaction(id: "N")?.0.eventCount == 2)
    }

    @Test func aLatePendingFromTheOtherProcessIsLate() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (a, b, database) = try twoWriters()
        try a.apply([line("L", "Pending")])
        try a.apply([line("L", "Approved", eventID: "e2")])
        try b.apply([line("L", "Pending", eventID: "e3")])
        let (record, events) = try #require(try database.transaction(id: "L"))
        #expect(record.status == .approved)
        #expect(events.map(\.late) == [false, false, true])
        #expect(record.flags == [])
    }

    /// B has written since the table was empty, so it knows every id it wrote: a new id costs
    /// it no lookup. Once A commits one, B must look again — else it inserts a second row
    /// (`UNIQUE constraint failed`) and stops for good.
    @Test func aWriterThatKnowsEveryIdItWroteSeesAnIdTheOtherCreated() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (a, b, database) = try twoWriters()
        try b.apply([line("B-1", "Pending")])
        try a.apply([line("N", "Pending")])
        let summary = try b.apply([line("N", "Approved", eventID: "e2")])
        #expect(summary.newTransactions == 0)
        let (record, events) = try #require(try database.transaction(id: "N"))
        #expect(record.status == .approved && events.count == 2)
        #expect(try database.transactions(TransactionQuery()).count == 2)
    }

    /// B holds L as Pending in its cache when A approves it: B's late Pending is late, judged
    /// against A's Approved, not against its own memory of Pending.
    @Test func aCachedStateIsDroppedWhenTheOtherWriterMovesIt() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (a, b, database) = try twoWriters()
        try b.apply([line("L", "Pending")])
        try a.apply([line("L", "Approved", eventID: "e2")])
        try b.apply([line("L", "Pending", eventID: "e3")])
        let (record, events) = try #require(try database.transaction(id: "L"))
        #expect(record.status == .approved)
        #expect(events.map(\.late) == [false, false, true])
    }

    @Test func theSameLogUnderAnyNameHasOnePositionAndAStalePositionIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (a, _, database) = try twoWriters()
        try a.apply([line("P", "Pending")])
        // A second writer that read from the start of the same key: compare-and-swap refuses it.
        let stale = IngestWriter(database: database)
        let again = FollowerPosition(path: a.log, file: a.log, device: 1, inode: 1, headLength: 0, headHash: [], offset: 10, nextLine: 2,
                                     observedSize: 10, updatedAt: Timestamp(millisecondsSince1970: 0))
        let result = try stale.apply([.parsed(file: a.log, line: 1, offset: 0, bytes: Array(line("P", "Pending").utf8))],
                                     expected: nil, newPosition: again, file: nil, notices: [], now: Timestamp(millisecondsSince1970: 0))
        guard case .positionMoved(let current) = result else {
            Issue.record("applied twice")
            return
        }
        #expect(current?.offset == a.position?.offset)
        #expect(try database.transaction(id: "P")?.0.eventCount == 1)
    }
}

/// The console's detail read: a page of the timeline, nothing when nothing changed, raw lines
/// one at a time.
@Suite struct TransactionDetailReadTests {
    @Test func aLongTimelineIsPagedAndAnUnchangedOneIsNotReadAgain() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-detail-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try AppDatabase.open(path: folder + "/console.db")
        let writer = IngestWriteProtocolTests.Writer(database, log: "/long.jsonl")
        let line = { (n: Int) in
            "{\"transaction_id\":\"LONG\",\"method\":\"CLEO_PAYIN\",\"transaction_status\":\"Pending\",\"status\":\"S\(n)\",\"user_id\":\"u\",\"eventId\":\"e\(n)\"}"
        }
        try writer.apply((0..<1_200).map(line))
        guard case .loaded(let record, let events, let total) = try database.transactionDetail(id: "LONG", knownEventCount: nil, eventLimit: 500) else {
            Issue.record("not loaded")
            return
        }
        #expect(total == 1_200 && record.eventCount == 1_200)
        #expect(events.count == 500)
        #expect(events.first?.rawStatus == "S700" && events.last?.rawStatus == "S1199")  // the newest, in log order
        #expect(events.allSatisfy { $0.raw.isEmpty })
        #expect(try database.eventRaw(rowID: events.last!.rowID) == Array(line(1199).utf8))
        #expect(try database.transactionDetail(id: "LONG", knownEventCount: 1_200, eventLimit: 500) == .unchanged)
        try writer.apply([line(1_200)])
        guard case .loaded(_, _, let after) = try database.transactionDetail(id: "LONG", knownEventCount: 1_200, eventLimit: 500) else {
            Issue.record("a change was not read")
            return
        }
        #expect(after == 1_201)
        #expect(try database.transactionDetail(id: "long", knownEventCount: nil, eventLimit: 500) == .missing)
    }
}
