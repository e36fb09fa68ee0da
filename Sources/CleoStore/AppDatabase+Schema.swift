import CleoDomain
import GRDB

extension AppDatabase {
    /// Shipped migrations are never edited; a change is a new migration.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE meta_blob (key TEXT PRIMARY KEY, value BLOB NOT NULL);

                -- One row; version is the compare-and-swap counter. Secrets are sealed (AES-GCM);
                -- their hints hold only the mask and fingerprint.
                CREATE TABLE config (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL,
                    chileApiKey BLOB, peruApiKey BLOB, mexicoApiKey BLOB,
                    chileApiKey_hint TEXT, peruApiKey_hint TEXT, mexicoApiKey_hint TEXT,
                    chileApiKey_fingerprint TEXT, peruApiKey_fingerprint TEXT, mexicoApiKey_fingerprint TEXT,
                    chileApiKey_setAt INTEGER, peruApiKey_setAt INTEGER, mexicoApiKey_setAt INTEGER,
                    customerExternalKeyForCleo TEXT, webhookUrl TEXT, isWebhookSecured TEXT,
                    updatedAt INTEGER, updatedBy TEXT
                );
                INSERT INTO config(id, version) VALUES (1, 0);

                CREATE TABLE config_audit (
                    id INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL, user TEXT NOT NULL, origin TEXT NOT NULL,
                    field TEXT NOT NULL, old TEXT, new TEXT, result TEXT NOT NULL, detail TEXT
                );

                -- seq: the order the console first saw the transaction (events-log.md rule 8).
                CREATE TABLE tx (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL,
                    method TEXT NOT NULL, user_id TEXT NOT NULL,
                    amount TEXT, amount_hundredths INTEGER, currency TEXT, country TEXT,
                    status TEXT NOT NULL, raw_status TEXT NOT NULL, error_code TEXT, message TEXT,
                    psp_id TEXT, merchant_ref TEXT,
                    flags INTEGER NOT NULL DEFAULT 0, event_count INTEGER NOT NULL,
                    first_seen_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX tx_id ON tx(id);

                CREATE TABLE event (
                    id INTEGER PRIMARY KEY,
                    tx_seq INTEGER NOT NULL,
                    file TEXT NOT NULL, line INTEGER NOT NULL, offset INTEGER NOT NULL,
                    received_at INTEGER NOT NULL, received_at_given INTEGER NOT NULL,
                    transaction_status TEXT NOT NULL, status TEXT NOT NULL,
                    message TEXT, error_code TEXT, event_id TEXT, signature BLOB NOT NULL,
                    duplicate INTEGER NOT NULL, late INTEGER NOT NULL, notes TEXT,
                    raw BLOB NOT NULL
                );

                CREATE TABLE rejected (
                    id INTEGER PRIMARY KEY,
                    file TEXT NOT NULL, line INTEGER NOT NULL, offset INTEGER NOT NULL,
                    code TEXT NOT NULL, message TEXT NOT NULL,
                    raw BLOB NOT NULL, raw_length INTEGER NOT NULL, at INTEGER NOT NULL
                );

                -- Where the follower is, committed with the effects of the lines before it.
                CREATE TABLE follower (
                    path TEXT PRIMARY KEY,
                    file TEXT NOT NULL, device INTEGER NOT NULL, inode INTEGER NOT NULL,
                    head_length INTEGER NOT NULL, head_hash BLOB NOT NULL,
                    offset INTEGER NOT NULL, next_line INTEGER NOT NULL, observed_size INTEGER NOT NULL,
                    lines_applied INTEGER NOT NULL DEFAULT 0, events INTEGER NOT NULL DEFAULT 0,
                    duplicates INTEGER NOT NULL DEFAULT 0, late INTEGER NOT NULL DEFAULT 0,
                    rejected INTEGER NOT NULL DEFAULT 0, blank INTEGER NOT NULL DEFAULT 0,
                    last_event_at INTEGER, updated_at INTEGER NOT NULL
                );
                CREATE TABLE follower_notice (
                    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, path TEXT NOT NULL,
                    kind TEXT NOT NULL, detail TEXT NOT NULL
                );

                -- Frozen here as shipped; `secondaryIndexes` below is the living list a bulk load uses.
                CREATE INDEX tx_status ON tx(status, seq);
                CREATE INDEX tx_country ON tx(country, seq);
                CREATE INDEX tx_currency ON tx(currency, seq);
                CREATE INDEX tx_method ON tx(method, seq);
                CREATE INDEX tx_user ON tx(user_id, seq);
                CREATE INDEX tx_psp ON tx(psp_id) WHERE psp_id IS NOT NULL;
                CREATE INDEX tx_ref ON tx(merchant_ref) WHERE merchant_ref IS NOT NULL;
                CREATE INDEX tx_flagged ON tx(seq) WHERE flags != 0;
                CREATE INDEX tx_first_seen ON tx(first_seen_at);
                CREATE INDEX event_tx ON event(tx_seq, id);
                """)
        }
        // events-log.md rule 9: `first_seen_at` becomes the transaction's real time (its first
        // event's receivedAt), no longer monotonic in seq; `order_at`, the running maximum of it in
        // seq order, is what time bounds are turned into seq bounds by (see `whereClause`).
        // Databases of v1 stored monotonic times, so their `order_at` is their `first_seen_at`.
        // Searches ignore ASCII case (cli.md): the searched columns get NOCASE indexes, and one
        // index on the id serves both: (id NOCASE, id) is unique exactly when the id is, answers
        // exact lookups on both columns and prefix searches on the first. Currency and country are
        // one dimension (each implies the other): the country index answers both. Each index less
        // is a page less that a live event dirties.
        migrator.registerMigration("v2-real-times-nocase-search") { db in
            try db.execute(sql: """
                ALTER TABLE tx ADD COLUMN order_at INTEGER NOT NULL DEFAULT 0;
                UPDATE tx SET order_at = first_seen_at;
                DROP INDEX IF EXISTS tx_first_seen;
                DROP INDEX IF EXISTS tx_user;
                DROP INDEX IF EXISTS tx_psp;
                DROP INDEX IF EXISTS tx_ref;
                DROP INDEX IF EXISTS tx_currency;
                DROP INDEX IF EXISTS tx_id;
                CREATE UNIQUE INDEX tx_id ON tx(id COLLATE NOCASE, id);
                CREATE INDEX tx_order_at ON tx(order_at);
                CREATE INDEX tx_user ON tx(user_id COLLATE NOCASE, seq);
                CREATE INDEX tx_psp ON tx(psp_id COLLATE NOCASE) WHERE psp_id IS NOT NULL;
                CREATE INDEX tx_ref ON tx(merchant_ref COLLATE NOCASE) WHERE merchant_ref IS NOT NULL;
                CREATE TABLE meta_int (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                """)
        }
        migrator.registerMigration("v2-refused-excerpts") { db in
            try scrubRefusedValues(db)
        }
        registerServeMigration(&migrator)
        // roles.md: a user's role (no row means support; the creator is seeded by `open`); the
        // changes that wait for a second person in production (a secret's new value sealed,
        // bound to `pending.<column>`, removed once decided); each secret's lifecycle, by field
        // name, so a secret field declared later joins without a migration of its own.
        migrator.registerMigration("v3-roles") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    name TEXT PRIMARY KEY,
                    role TEXT NOT NULL CHECK (role IN ('support', 'engineer', 'admin')),
                    grantedBy TEXT NOT NULL, grantedAt INTEGER NOT NULL
                );
                CREATE TABLE pending_change (
                    id INTEGER PRIMARY KEY,
                    field TEXT NOT NULL, sealed BLOB, value TEXT, old TEXT, new TEXT NOT NULL,
                    proposedBy TEXT NOT NULL, proposedFrom TEXT NOT NULL, proposedAt INTEGER NOT NULL, expiresAt INTEGER NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending', decidedBy TEXT, decidedAt INTEGER
                );
                CREATE TABLE key_lifecycle (
                    field TEXT PRIMARY KEY,
                    setAt INTEGER NOT NULL, setBy TEXT NOT NULL, setFrom TEXT NOT NULL, previousFingerprint TEXT
                );
                """)
        }
        migrator.registerMigration("v3-cashier") { db in try createCashierTables(db) }
        // The event row slimmed to what its raw line does not hold (see `slimEventRows`).
        migrator.registerMigration("v4-slim-event") { db in try slimEventRows(db) }
        // The filter panel's counts, kept by triggers (see `createFacetCounts`).
        migrator.registerMigration("v5-facet-counts") { db in try createFacetCounts(db) }
        return migrator
    }

    /// Databases written before refused values were kept as excerpts (README, "Refused values")
    /// hold them whole, user-info included: rewrite them, zeroing the freed bytes.
    static func scrubRefusedValues(_ db: Database) throws {
        try db.execute(sql: "PRAGMA secure_delete = ON")
        let rows = try Row.fetchAll(db, sql: "SELECT id, field, new FROM config_audit WHERE result = 'refused' AND new IS NOT NULL")
        for row in rows {
            guard let field = ConfigField(rawValue: row["field"]), let value = row["new"] as String? else { continue }
            let excerpt = RefusedValue.excerpt(value, for: field)
            if excerpt != value {
                try db.execute(sql: "UPDATE config_audit SET new = ? WHERE id = ?", arguments: [excerpt, row["id"] as Int64])
            }
        }
        try db.execute(sql: "PRAGMA secure_delete = OFF")
    }

    /// The indexes behind the list, every filter of cli.md and the timeline. A backlog load into
    /// an empty database drops and rebuilds them around the load (see `BulkLoad`). A new index
    /// goes here and into a new migration; v1 keeps its own copy, as shipped.
    static let secondaryIndexes: [(name: String, sql: String)] = [
        ("tx_status", "CREATE INDEX IF NOT EXISTS tx_status ON tx(status, seq)"),
        ("tx_country", "CREATE INDEX IF NOT EXISTS tx_country ON tx(country, seq)"),
        ("tx_method", "CREATE INDEX IF NOT EXISTS tx_method ON tx(method, seq)"),
        ("tx_user", "CREATE INDEX IF NOT EXISTS tx_user ON tx(user_id COLLATE NOCASE, seq)"),
        ("tx_psp", "CREATE INDEX IF NOT EXISTS tx_psp ON tx(psp_id COLLATE NOCASE) WHERE psp_id IS NOT NULL"),
        ("tx_ref", "CREATE INDEX IF NOT EXISTS tx_ref ON tx(merchant_ref COLLATE NOCASE) WHERE merchant_ref IS NOT NULL"),
        ("tx_flagged", "CREATE INDEX IF NOT EXISTS tx_flagged ON tx(seq) WHERE flags != 0"),
        ("tx_order_at", "CREATE INDEX IF NOT EXISTS tx_order_at ON tx(order_at)"),
        ("event_tx", "CREATE INDEX IF NOT EXISTS event_tx ON event(tx_seq, id)"),
    ]

    /// The unique index on the id (see v2): a bulk load in a rollback journal builds it after the
    /// load, finding ids through an in-memory map meanwhile (see `IngestWriter`).
    static let idIndexSQL = "CREATE UNIQUE INDEX IF NOT EXISTS tx_id ON tx(id COLLATE NOCASE, id)"

    static func createSecondaryIndexes(_ db: Database) throws {
        for index in secondaryIndexes { try db.execute(sql: index.sql) }
    }
}
