import CleoDomain
@_exported import CleoIngest
import Foundation
import GRDB
import GRDBSQLite

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
    /// several consoles may start at once on a new database and none fails. An up-to-date
    /// database gets no migration and no write of ours (GRDB's own setup of a writable pool
    /// writes when the WAL is empty: the read commands use `openReadOnly`, which never writes).
    /// A database of a newer version is refused before anything is written (`OpenRefusal`).
    public static func open(
        path: String, keyFilePath: String? = nil, environment requested: ConsoleEnvironment? = nil,
        tuning: Tuning = .interactive
    ) throws -> AppDatabase {
        let directory = (path as NSString).deletingLastPathComponent
        try FileSystem.createDirectories(directory.isEmpty ? "." : directory)
        return try FileSystem.withExclusiveLock(path + ".lock") {
            try refuseWhileLoading(path: path)
            try FileSystem.createOwnerOnlyFile(path)
            let pool = try DatabasePool(path: path, configuration: configuration(tuning: tuning, readOnly: false))
            try pool.read(refuseNewer)
            if try !pool.read(migrator.hasCompletedMigrations) {
                try migrator.migrate(pool)
            }
            let environment: ConsoleEnvironment
            if let stored = try pool.read(storedEnvironment) {
                environment = stored
            } else {
                environment = try pool.write { db -> ConsoleEnvironment in
                    if let stored = try storedEnvironment(db) { return stored }  // another process's, since
                    let chosen = requested ?? .sandbox
                    try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('environment', ?)", arguments: [chosen.rawValue])
                    return chosen
                }
            }
            let database = AppDatabase(dbPool: pool, path: path, keyFilePath: defaultKeyFile(keyFilePath, beside: path), environment: environment)
            try database.finishAbandonedBulkLoad()
            try database.seedCreatorAdmin()
            return database
        }
    }

    /// Opens an existing database for reading only: no migration, no lock file, no file
    /// created, nothing written (`SQLITE_OPEN_READONLY`), for a user who may read the database
    /// but not write it (roles.md: support). SQLite reads a WAL database this way while its
    /// `-wal` and `-shm` exist (writers keep them: `persistentWAL`).
    public static func openReadOnly(path: String, keyFilePath: String? = nil, tuning: Tuning = .interactive) throws -> AppDatabase {
        guard FileManager.default.fileExists(atPath: path) else { throw OpenRefusal.missing(path: path) }
        try refuseWhileLoading(path: path)
        let pool = try DatabasePool(path: path, configuration: configuration(tuning: tuning, readOnly: true))
        try pool.read(refuseNewer)
        guard try pool.read(migrator.hasCompletedMigrations) else { throw OpenRefusal.needsUpgrade(path: path) }
        // A database created but never written has no environment yet: what a writer would record.
        let environment = try pool.read(storedEnvironment) ?? .sandbox
        return AppDatabase(dbPool: pool, path: path, keyFilePath: defaultKeyFile(keyFilePath, beside: path), environment: environment)
    }

    static func defaultKeyFile(_ given: String?, beside path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return given ?? ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent("console.key")
    }

    static func configuration(tuning: Tuning, readOnly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "cleo-console"
        configuration.readonly = readOnly
        configuration.prepareDatabase { db in
            if !readOnly {
                // The page size takes effect only while the file is empty (a new database). 16 KiB:
                // a live commit of one line dirties ~14 pages (its rows and an entry in each index),
                // each written to the WAL whole — 931 KB a line with 64 KiB pages, 265 KB with 16 KiB
                // — for a bulk load ~5% slower; queries unchanged (README, "Page size and commit pacing").
                try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
                try persistentWAL(db)
            }
            try db.execute(sql: "PRAGMA cache_size = -\(tuning.cacheKiB)")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        return configuration
    }

    /// The last writer to close keeps `-wal` and `-shm` instead of deleting them, so a user who
    /// may not create files in the database's folder can still open it read-only. With a
    /// `journal_size_limit` SQLite truncates the kept WAL to zero bytes at that close (and to the
    /// limit after a checkpoint), so a WAL kept after the last close holds no old pages.
    static func persistentWAL(_ db: Database) throws {
        var on: Int32 = 1
        _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &on)
        try db.execute(sql: "PRAGMA journal_size_limit = \(64 << 20)")
    }

    /// The schema's `user_version`: a higher one is a database from a newer cleo-console.
    static let userVersion = 0

    /// Refuses a database migrated by a newer cleo-console (an unknown migration, a higher
    /// `user_version`): opening it would write to a schema this build does not know.
    static func refuseNewer(_ db: Database) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if try migrator.hasBeenSuperseded(db) || version > userVersion {
            let known = Set(migrator.migrations)
            let unknown = try migrator.appliedIdentifiers(db).subtracting(known).sorted()
            throw OpenRefusal.newerVersion(unknownMigrations: unknown, userVersion: version)
        }
    }

    /// The environment recorded at creation; an unknown value is an error, never a guess.
    static func storedEnvironment(_ db: Database) throws -> ConsoleEnvironment? {
        guard try db.tableExists("meta"),
              let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'environment'") else { return nil }
        guard let environment = ConsoleEnvironment(rawValue: stored) else { throw OpenRefusal.unknownEnvironment(stored) }
        return environment
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
                try bindSealedValues(box)
                try keyFingerprints(box)
                return box
            }
            let box = try SecretBox.load(path: keyFilePath) ?? SecretBox.create(path: keyFilePath)
            let newCheck = try box.makeCheck()
            try writeImmediate { db in
                try db.execute(sql: "INSERT OR IGNORE INTO meta_blob(key, value) VALUES ('key_check', ?)", arguments: [newCheck])
            }
            try bindSealedValues(box)
            try keyFingerprints(box)
            return box
        }
    }

    /// The database or key file when users outside its owner and group may read or write it
    /// (roles.md: the key file is for the service user and `cleo-ops` only; the database for
    /// those groups). One warning each, with the command that fixes it.
    public func exposureWarnings() -> [String] {
        [("database", path), ("key file", keyFilePath)].compactMap { what, file in
            FileSystem.mode(of: file).flatMap { TeamLayout.exposureWarning(what: what, path: file, mode: UInt32($0)) }
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

/// Why a database is not opened; each says what to do. Paths and values are sanitised where
/// the message is printed.
public enum OpenRefusal: Error, CustomStringConvertible, Sendable, Equatable {
    case newerVersion(unknownMigrations: [String], userVersion: Int)
    case unknownEnvironment(String)
    case missing(path: String)
    case needsUpgrade(path: String)
    /// Another process holds the `.bulk` lock: it is loading a backlog (see `BulkLoad`).
    case loading(path: String)

    public var description: String {
        switch self {
        case .newerVersion(let unknown, let userVersion):
            "the database was written by a newer cleo-console (" + (unknown.isEmpty ? "user_version \(userVersion)" : "unknown migrations: " + unknown.joined(separator: ", "))
                + "); open it with that version or newer — nothing was changed"
        case .unknownEnvironment(let value):
            "the database records an unknown environment \"\(String(value.prefix(40)))\" (expected sandbox or production); nothing was changed"
        case .missing(let path):
            "the database \(path) does not exist (a read never creates one)"
        case .loading(let path):
            "a backlog is being loaded into the database \(path) by another process; try again when it finishes"
        case .needsUpgrade(let path):
            "the database \(path) needs an upgrade that only a user who may write it can make (run any cleo-console command as such a user)"
        }
    }
}
