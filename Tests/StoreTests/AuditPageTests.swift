import CleoDomain
import CleoStore
import Foundation
import Testing

/// The Audit screen's page on a real file: keyset on id over the whole trail, the search by
/// field or user run in SQL (ASCII case ignored), never the whole table read.
@Suite struct AuditPageTests {
    @Test func pagesAndTheSearchCoverTheWholeTrail() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-audit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/console.db"
        let database = try AppDatabase.open(path: path)
        let before = try database.auditPage(.newest, search: nil, limit: 500).total
        // 1,200 entries written from outside (another process's writes): every third by JORGE on chileApiKey.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [path, """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
            INSERT INTO config_audit(at, user, origin, field, old, new, result, detail)
            SELECT 1790000000000 + i, CASE WHEN i % 3 = 0 THEN 'JORGE' ELSE 'maria' END, 'local',
                   CASE WHEN i % 3 = 0 THEN 'chileApiKey' ELSE 'webhookUrl' END, NULL, 'v' || i, 'saved', NULL FROM n;
            """]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
        let newest = try database.auditPage(.newest, search: nil, limit: 500)
        #expect(newest.total == before + 1_200 && newest.above == 0 && newest.entries.count == 500)
        #expect(newest.entries.last?.new == "v1200")  // oldest first among them
        let older = try database.auditPage(.olderThan(newest.entries.first!.id), search: nil, limit: 500)
        #expect(older.above == 500 && older.entries.last!.id == newest.entries.first!.id - 1)
        let oldest = try database.auditPage(.oldest, search: "jorge", limit: 100)
        #expect(oldest.total == 400)
        #expect(oldest.entries.allSatisfy { $0.user == "JORGE" })
        #expect(oldest.entries.first?.new == "v3" && oldest.above == 300)
        let byField = try database.auditPage(.newest, search: "CHILE", limit: 500)
        #expect(byField.total == 400 + (try database.auditPage(.newest, search: nil, limit: 500).entries.filter { $0.field == "chileApiKey" && !$0.new!.hasPrefix("v") }.count))
        let above = try database.auditPage(.newerThan(oldest.entries.last!.id), search: "jorge", limit: 100)
        #expect(above.entries.first!.id > oldest.entries.last!.id && above.entries.allSatisfy { $0.user == "JORGE" })
    }
}
