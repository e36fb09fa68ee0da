import CleoDomain
@_exported import CleoIngest
import Foundation
import GRDB

/// Which platform environment a database serves; recorded once, when it is created (cli.md).
public enum ConsoleEnvironment: String, Sendable, CaseIterable {
    case sandbox, production
}

/// The console's one database: migrations, intention-named writes and reads (GRDB over the
/// system SQLite, WAL, busy timeout, `BEGIN IMMEDIATE` writes, short transactions).
public final class AppDatabase: Sendable {
    public let dbPool: DatabasePool
    public let path: String
    public let keyFilePath: String
    public let environment: ConsoleEnvironment
    var lockPath: String { path + ".lock" }

    /// Bytes per page of a new database (see `open`).
    static let pageSize = 4_096

    /// How a connection is tuned. `bulk` raises the cache for a backlog load.
    public struct Tuning: Sendable {
        public var cacheKiB: Int
        public static let interactive = Tuning(cacheKiB: 8_192)
        public static let bulk = Tuning(cacheKiB: 65_536)
    }

    /// Opens (creating it and its folders when missing, owner-only) and migrates the database.
    /// Opening, migrating and creating are serialised across processes by an advisory lock, so
    /// several consoles may start at once on a new database and none fails.
    public static func open(
        path: String, keyFilePath: String? = nil, environment requested: ConsoleEnvironment? = nil,
        tuning: Tuning = .interactive
    ) throws -> AppDatabase {
        let directory = (path as NSString).deletingLastPathComponent
        try FileSystem.createDirectories(directory.isEmpty ? "." : directory)
        let keyFile = keyFilePath ?? ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent("console.key")
        return try FileSystem.withExclusiveLock(path + ".lock") {
            try FileSystem.createOwnerOnlyFile(path)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.label = "cleo-console"
            configuration.prepareDatabase { db in
                // The page size takes effect only while the file is empty (a new database). 16 KiB:
                // a live commit of one line dirties ~14 pages (its rows and an entry in each index),
                // each written to the WAL whole — 931 KB a line with 64 KiB pages, 265 KB with 16 KiB
                // — for a bulk load ~5% slower; queries unchanged (README, "Page size and commit pacing").
                try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
                try db.execute(sql: "PRAGMA cache_size = -\(tuning.cacheKiB)")
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
            }
            let pool = try DatabasePool(path: path, configuration: configuration)
            try migrator.migrate(pool)
            let environment = try pool.write { db -> ConsoleEnvironment in
                if let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'environment'") {
                    return ConsoleEnvironment(rawValue: stored) ?? .sandbox
                }
                let chosen = requested ?? .sandbox
                try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('environment', ?)", arguments: [chosen.rawValue])
                return chosen
            }
            let database = AppDatabase(dbPool: pool, path: path, keyFilePath: keyFile, environment: environment)
            try database.finishAbandonedBulkLoad()
            return database
        }
    }

    init(dbPool: DatabasePool, path: String, keyFilePath: String, environment: ConsoleEnvironment) {
        self.dbPool = dbPool
        self.path = path
        self.keyFilePath = keyFilePath
        self.environment = environment
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is taken first, so the busy
    /// timeout applies (a deferred transaction that reads then writes fails at once with BUSY).
    func writeImmediate<T>(_ body: (Database) throws -> T) throws -> T {
        try dbPool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    /// The key that seals secrets, created on first use. The check value in `meta` makes a
    /// missing or wrong key file an error before anything is sealed under it.
    public func secretBox() throws -> SecretBox {
        try FileSystem.withExclusiveLock(lockPath) {
            let check = try dbPool.read { db in try Data.fetchOne(db, sql: "SELECT value FROM meta_blob WHERE key = 'key_check'") }
            if let check {
                guard let box = try SecretBox.load(path: keyFilePath) else { throw StoreError.keyFileMissing(path: keyFilePath) }
                try box.verify(check: check)
                return box
            }
            let box = try SecretBox.load(path: keyFilePath) ?? SecretBox.create(path: keyFilePath)
            let newCheck = try box.makeCheck()
            try writeImmediate { db in
                try db.execute(sql: "INSERT OR IGNORE INTO meta_blob(key, value) VALUES ('key_check', ?)", arguments: [newCheck])
            }
            return box
        }
    }

    /// Commit counter as this process's writer connection sees it: it moves with every commit
    /// of another connection — other processes — and not with this process's own writes, which
    /// announce themselves. Always the same connection: the counter is per connection, so values
    /// read on different pooled readers cannot be compared (and a reader also counts this
    /// process's own commits, which made the console refresh each batch twice).
    public func dataVersion() throws -> Int64 {
        try dbPool.writeWithoutTransaction { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }
}
