import CleoDomain
import CleoStore
import Foundation
import Testing

/// A table holding an exact multiple of a page (500, 1,000 rows): the page past the oldest is
/// empty, and its place must still say that every row is above it, so total − above − count
/// (the rows below a page) is true on every page, 0 on the last one.
@Suite struct ExactPageMultipleTests {
    /// A fresh database with `rows` rejected lines, refused deliveries and audit entries, written
    /// from outside (another process's writes).
    func database(rows: Int) throws -> (AppDatabase, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-pages-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/console.db"
        let database = try AppDatabase.open(path: path)
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [path, """
            DELETE FROM config_audit;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(rows))
            INSERT INTO rejected(file, line, offset, code, message, raw, raw_length, at)
            SELECT '/var/log/cleo/webhook-events.jsonl', i, i * 10, 'INVALID_JSON', 'not JSON', x'7b', 1, 1790000000000 + i FROM n;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(rows))
            INSERT INTO refused_delivery(at, remote, status, reason, raw, raw_length)
            SELECT 1790000000000 + i, '127.0.0.1', 400, 'not JSON', NULL, 0 FROM n;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(rows))
            INSERT INTO config_audit(at, user, origin, field, old, new, result, detail)
            SELECT 1790000000000 + i, 'maria', 'local', 'webhookUrl', NULL, 'v' || i, 'saved', NULL FROM n;
            """]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        return (database, folder)
    }

    /// Walks a list page by page from the newest as the console does, while rows are below.
    func walk(total rows: Int, _ page: (RowWindow) throws -> (ids: [Int64], total: Int, above: Int)) throws {
        var window = RowWindow.newest
        var pages = 0
        var below = rows
        for _ in 0..<10 {
            let p = try page(window)
            #expect(p.total == rows && p.above == pages * 500 && p.ids.count == 500)
            below = p.total - p.above - p.ids.count
            pages += 1
            guard below > 0, let last = p.ids.last else { break }
            window = .olderThan(last)
        }
        #expect(pages == rows / 500 && below == 0)
        // The page past the oldest row: empty, every row above it, none below.
        let past = try page(.olderThan(1))
        #expect(past.ids.isEmpty && past.total == rows && past.above == rows)
    }

    @Test(arguments: [500, 1_000]) func thePagePastTheOldestHasEveryRowAbove(rows: Int) throws {
        let (database, folder) = try database(rows: rows)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try walk(total: rows) { let p = try database.rejectedLinesPage($0, limit: 500); return (p.lines.map(\.id), p.total, p.above) }
        try walk(total: rows) { let p = try database.refusedDeliveriesPage($0, limit: 500); return (p.refusals.map(\.id), p.total, p.above) }
        try walk(total: rows) { let p = try database.auditPage($0, search: nil, limit: 500); return (p.entries.reversed().map(\.id), p.total, p.above) }
    }
}
