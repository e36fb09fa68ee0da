import Foundation
import GRDB
import GRDBSQLite

/// Whether work asked for is still wanted: the console's count for a search typed over stops
/// when the next key changes the search (a one-letter prefix counts every row of 10M).
public final class CancelToken: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    public init() {}
    public func cancel() { lock.withLock { cancelled = true } }
    public var isCancelled: Bool { lock.withLock { cancelled } }
}

extension Database {
    /// Runs `body` on this connection with SQLite asking `token` every few thousand virtual
    /// machine steps: once it is cancelled the running statement stops (SQLITE_INTERRUPT) and
    /// `CancellationError` is thrown (also when it was cancelled after the last one). Only this connection's statements are touched
    /// (`sqlite3_interrupt` on the pool would stop the page loads beside it).
    func cancellable<T>(_ token: CancelToken?, _ body: () throws -> T) throws -> T {
        guard let token else { return try body() }
        let context = Unmanaged.passRetained(token)
        sqlite3_progress_handler(sqliteConnection, 4_096, { context in
            Unmanaged<CancelToken>.fromOpaque(context!).takeUnretainedValue().isCancelled ? 1 : 0
        }, context.toOpaque())
        defer {
            sqlite3_progress_handler(sqliteConnection, 0, nil, nil)
            context.release()
        }
        let result: T
        do {
            result = try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT && token.isCancelled {
            throw CancellationError()
        }
        // Cancelled after its last statement: the answer is no longer wanted either.
        if token.isCancelled { throw CancellationError() }
        return result
    }
}
