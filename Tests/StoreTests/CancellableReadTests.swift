import CleoDomain
@testable import CleoStore
import Foundation
import GRDB
import Testing

/// A cancelled read stops inside its running statement, on its own connection, not after it.
@Suite struct CancellableReadTests {
    @Test func aCancelledTokenStopsTheRunningStatementNotOnlyTheAnswer() throws {
        let folder = try makeTestFolder("cleo-cancel")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try AppDatabase.open(path: folder + "/console.db")
        try database.benchmarkFill(transactions: 3_000)
        let token = CancelToken()
        token.cancel()
        var statementsFinished = 0
        #expect(throws: CancellationError.self) {
            try database.dbPool.read { db in
                try db.cancellable(token) {
                    // Every row tested (no index answers LIKE here): thousands of steps.
                    _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM tx WHERE user_id LIKE '%9%'")
                    statementsFinished += 1
                }
            }
        }
        #expect(statementsFinished == 0)
        // The handler is gone afterwards: the same connection reads on.
        #expect(try database.dbPool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tx WHERE user_id LIKE '%9%'") } ?? 0 > 0)
    }
}
