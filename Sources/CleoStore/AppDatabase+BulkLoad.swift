import Foundation
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Loading a backlog into an empty database, on a connection of its own (the pool is closed):
/// the secondary indexes and the panel's count triggers are dropped for the load, built and
/// counted once at its end. When no other
/// connection has the database open, the load runs under a rollback journal (`DELETE`) with
/// `tx_id` built after it too, so every page is written once (WAL writes each twice, and the
/// random-key `tx_id` leaves are rewritten at every commit): the writer finds ids through its
/// in-memory map meanwhile. The `.bulk` lock file is held throughout: other processes opening
/// the database are told a backlog is being loaded (`OpenRefusal.loading`). A mark in `meta`
/// makes a load killed midway finish its index builds at the next open (a rollback journal's
/// unfinished batch is rolled back by SQLite first).
public final class BulkLoad {
    /// Applies the backlog's batches on the load's connection.
    public let writer: IngestWriter
    /// True when the load runs under a rollback journal (false: another connection had the
    /// database open, so it stays in WAL with `tx_id` maintained live).
    public let rollbackJournal: Bool
    private let queue: DatabaseQueue
    private let lockFD: Int32

    init(writer: IngestWriter, queue: DatabaseQueue, rollbackJournal: Bool, lockFD: Int32) {
        self.writer = writer
        self.queue = queue
        self.rollbackJournal = rollbackJournal
        self.lockFD = lockFD
    }

    /// Builds the indexes again, clears the mark, returns to WAL and closes the connection:
    /// open the database again to go on.
    public func finish() throws {
        defer {
            try? queue.close()
            flock(lockFD, LOCK_UN)
            close(lockFD)
        }
        try queue.writeWithoutTransaction { db in
            try AppDatabase.completeBulkLoad(db)
            if rollbackJournal {
                // Nobody else has it open (they were refused); if someone does, the next pool to
                // open it switches it back.
                try? db.execute(sql: "PRAGMA journal_mode = WAL")
            }
        }
    }
}

extension AppDatabase {
    /// Every secondary index but `event_tx`: its keys arrive nearly in order, cheap to keep live.
    static let bulkIndexNames = secondaryIndexes.map(\.name).filter { $0 != "event_tx" }

    /// The lock a bulk load holds from its start to its index builds, if nobody holds it.
    private func lockBulkFile() -> Int32? {
        let fd = Glibc.open(path + ".bulk", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Refuses to open while another process holds the `.bulk` lock (loading a backlog): its
    /// load may run under a rollback journal, which a pool would switch back to WAL midway.
    /// Called under the `.lock` lock by `open`, which `beginBulkLoad` takes its lock under.
    static func refuseWhileLoading(path: String) throws {
        let fd = Glibc.open(path + ".bulk", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }  // never loaded in bulk, or not ours to read
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { throw OpenRefusal.loading(path: path) }
        flock(fd, LOCK_UN)
    }

    /// Starts a bulk load when the database holds no transaction yet; nil otherwise (this
    /// database stays usable). When it starts, this database's pool is closed: use the load's
    /// `writer`, then `finish()` and open the database again.
    public func beginBulkLoad() throws -> BulkLoad? {
        try FileSystem.withExclusiveLock(lockPath) { () -> BulkLoad? in
            guard let fd = lockBulkFile() else { return nil }
            do {
                guard try dbPool.read({ db in try Int64.fetchOne(db, sql: "SELECT seq FROM tx LIMIT 1") }) == nil else {
                    flock(fd, LOCK_UN)
                    close(fd)
                    return nil
                }
                try dbPool.close()
                let queue = try DatabaseQueue(path: path, configuration: Self.configuration(tuning: .bulk, readOnly: false))
                let rollback = try queue.writeWithoutTransaction { db -> Bool in
                    // Leaving WAL needs every other connection closed: no wait for them.
                    sqlite3_busy_timeout(db.sqliteConnection, 0)
                    let mode = try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                    sqlite3_busy_timeout(db.sqliteConnection, 10_000)
                    return mode?.lowercased() == "delete"
                }
                try queue.inTransaction(.immediate) { db in
                    for name in Self.bulkIndexNames { try db.execute(sql: "DROP INDEX IF EXISTS \(name)") }
                    for name in Self.facetTriggers { try db.execute(sql: "DROP TRIGGER IF EXISTS \(name)") }
                    if rollback { try db.execute(sql: "DROP INDEX IF EXISTS tx_id") }
                    try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('bulk_load', '1')")
                    return .commit
                }
                return BulkLoad(writer: IngestWriter(database: self, connection: queue), queue: queue, rollbackJournal: rollback, lockFD: fd)
            } catch {
                flock(fd, LOCK_UN)
                close(fd)
                throw error
            }
        }
    }

    /// Builds the indexes a bulk load dropped (`tx_id` included) with room in their leaves,
    /// counts the panel's cells and puts back their triggers, then clears its mark (the mark goes
    /// last: a crash in between does it all again at the next open).
    static func completeBulkLoad(_ db: Database) throws {
        try db.inTransaction(.immediate) {
            try buildIndexesWithRoom(db)
            return .commit
        }
        try db.inTransaction(.immediate) {
            try countFacetsAndKeepThem(db)
            return .commit
        }
        try db.execute(sql: "DELETE FROM meta WHERE key = 'bulk_load'")
    }

    /// The share of a load's transactions (its newest) held out of the index builds.
    static let heldOutShare: Int64 = 32

    /// `CREATE INDEX` packs every leaf full (SQLite has no fill factor), so right after a load each
    /// new transaction's random keys (id, user, psp id, reference) each split a full leaf — four
    /// pages and their parent more per index, ~16 of a one-line commit's 27–48 pages — until every
    /// leaf had split once. So the newest 1/32 of the rows are held out of the builds and put back
    /// through the built indexes, as live inserts are: their random keys split nearly every leaf
    /// once here (each split leaves the leaf and its two siblings ~75% full), and the keys of the
    /// grouped indexes land at each group's end, where live ones do. One transaction: a crash
    /// midway loses no row (the held-out copy never outlives it).
    static func buildIndexesWithRoom(_ db: Database) throws {
        let newest = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM tx") ?? 0
        let cut = newest - newest / heldOutShare
        let holdOut = cut < newest
        if holdOut {
            try db.execute(sql: "CREATE TABLE bulk_held_out AS SELECT * FROM tx WHERE seq > ?", arguments: [cut])
            try db.execute(sql: "DELETE FROM tx WHERE seq > ?", arguments: [cut])
        }
        try db.execute(sql: idIndexSQL)
        try createSecondaryIndexes(db)
        if holdOut {
            try db.execute(sql: "INSERT INTO tx SELECT * FROM bulk_held_out ORDER BY seq")
            try db.execute(sql: "DROP TABLE bulk_held_out")
        }
    }

    /// At open: a bulk load whose process died left its mark; build the indexes it dropped.
    func finishAbandonedBulkLoad() throws {
        guard try dbPool.read({ db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'bulk_load'") }) != nil else { return }
        guard let fd = lockBulkFile() else { return }  // a load is running
        defer {
            flock(fd, LOCK_UN)
            close(fd)
        }
        try dbPool.writeWithoutTransaction(Self.completeBulkLoad)
    }
}
