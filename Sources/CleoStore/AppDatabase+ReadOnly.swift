import GRDB

extension AppDatabase {
    /// A commit counter on a connection of its own, opened read-only, for a console that may
    /// not write the database: `PRAGMA data_version` is per connection, so the same one is
    /// asked every time, and every commit it counts is another process's.
    public func readerChangeCounter() throws -> @Sendable () throws -> Int64 {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        configuration.label = "cleo-console-watch"
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return { try queue.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 } }
    }
}
