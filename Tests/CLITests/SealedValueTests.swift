import CleoDomain
@testable import CleoStore
import Foundation
import GRDB
import Testing

/// Sealed values bound to their field (AES-GCM associated data): a key copied into another
/// region's column is refused, and values an earlier version sealed unbound are bound once.
@Suite struct SealedValueTests {
    @Test func aSealedKeyMovedToAnotherRegionsColumnIsRefused() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.configureAll()
        _ = try cli.sql("UPDATE config SET chileApiKey = peruApiKey, peruApiKey = chileApiKey")
        let export = try cli.run(["config", "export"])
        #expect(export.status == 1, "\(export.stdout)")
        #expect(export.stdout.isEmpty)
        #expect(export.stderr.contains("does not belong to that field"), "\(export.stderr)")
        #expect(try cli.exports() == 0)
    }

    @Test func valuesSealedUnboundByAnEarlierVersionAreBoundAtTheNextOpenOfTheKey() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.configureAll()
        // What an earlier version stored: format 1 (no associated data), no `sealed_bound` mark.
        let box = try #require(try SecretBox.load(path: cli.keyFile))
        let database = try AppDatabase.open(path: cli.db)
        try database.dbPool.write { db in
            try db.execute(sql: "UPDATE config SET chileApiKey = ?, peruApiKey = ?",
                           arguments: [try box.sealUnbound(ConfigCLITests.chile), try box.sealUnbound(ConfigCLITests.peru)])
            try db.execute(sql: "DELETE FROM meta WHERE key = 'sealed_bound'")
        }
        let export = try cli.run(["config", "export"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains(ConfigCLITests.chile) && export.stdout.contains(ConfigCLITests.peru))
        #expect(try cli.sql("SELECT hex(substr(chileApiKey, 1, 1)), hex(substr(peruApiKey, 1, 1)) FROM config") == "02|02\n")
        // bound now: an unbound value from here on is refused like a moved one
        try database.dbPool.write { db in
            try db.execute(sql: "UPDATE config SET mexicoApiKey = ?", arguments: [try box.sealUnbound(ConfigCLITests.mexico)])
        }
        let refused = try cli.run(["config", "export"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("mexicoApiKey"), "\(refused.stderr)")
    }

    @Test func configCheckSaysWhetherAKeyYouHoldIsTheOneSet() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let unset = try cli.run(["config", "check", "chileApiKey"], stdin: ConfigCLITests.chile)
        #expect(unset.status == 65 && unset.stderr.contains("not set"), "\(unset.stderr)")
        try cli.configureAll()
        let same = try cli.run(["config", "check", "cleoApiKey.chileApiKey"], stdin: ConfigCLITests.chile + "\n")
        #expect(same.status == 0 && same.stdout.contains("is the one set"), "\(same.stderr)")
        for candidate in [ConfigCLITests.peru, String(ConfigCLITests.chile.dropLast()), ConfigCLITests.chile + "x", ""] {
            let other = try cli.run(["config", "check", "chileApiKey"], stdin: candidate)
            #expect(other.status == 65 && other.stderr.contains("is not the one set"), "\(candidate): \(other.stderr)")
            #expect(!other.stderr.contains(ConfigCLITests.chile) && !other.stdout.contains(ConfigCLITests.chile))
        }
        #expect(try cli.run(["config", "check", "webhookUrl"], stdin: "x").status == 64)
        #expect(try cli.run(["config", "check", "chileApiKey", ConfigCLITests.chile]).status == 64)  // never on the command line
    }

    /// The fingerprint was an unsalted 32-bit SHA-256 prefix: with the mask, a short key came back
    /// from the database file alone in 1.8 s.
    @Test func fingerprintsAreKeyedSoTheDatabaseAloneCannotTestGuesses() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.configureAll()
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: "sk_cl_second_key_5555dddd").status == 0)
        let shown = try cli.json(["config", "show", "--json"]) as! [String: Any]
        let fingerprints = shown["fingerprints"] as! [String: String]
        #expect(fingerprints.values.allSatisfy { $0.hasPrefix("hmac:") && $0.count == 13 }, "\(fingerprints)")
        var files = Data()
        for suffix in ["", "-wal"] { files.append(FileManager.default.contents(atPath: cli.db + suffix) ?? Data()) }
        let outputs = try cli.run(["config", "history", "--json"]).stdout + (try cli.run(["config", "show"]).stdout)
        for key in [ConfigCLITests.chile, ConfigCLITests.peru, ConfigCLITests.mexico, "sk_cl_second_key_5555dddd"] {
            let unkeyed = String(SecretMask.fingerprint(key).dropFirst("sha256:".count))
            #expect(files.range(of: Data(unkeyed.utf8)) == nil, "the database holds the unkeyed fingerprint of \(key.prefix(6))…")
            #expect(!outputs.contains(unkeyed))
        }
    }

    @Test func unkeyedFingerprintsOfAnEarlierVersionAreReplacedOnce() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.configureAll()
        let database = try AppDatabase.open(path: cli.db)
        let current = SecretMask.fingerprint(ConfigCLITests.chile), previous = SecretMask.fingerprint("sk_cl_previous_0000")
        try database.dbPool.write { db in
            try db.execute(sql: "UPDATE config SET chileApiKey_fingerprint = ?, chileApiKey_hint = '••••aaaa'", arguments: [current])
            try db.execute(sql: """
                INSERT INTO config_audit(at, user, origin, field, old, new, result) VALUES (1, 'root', 'local', 'chileApiKey', ?, ?, 'saved')
                """, arguments: ["••••0000 " + previous, "••••aaaa " + current])
            try db.execute(sql: "DELETE FROM meta WHERE key = 'fingerprints_keyed'")
        }
        #expect(try cli.run(["config", "check", "chileApiKey"], stdin: ConfigCLITests.chile).status == 0)
        let keyed = try cli.sql("SELECT chileApiKey_fingerprint FROM config").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(keyed.hasPrefix("hmac:"))
        #expect(try cli.sql("SELECT old, new FROM config_audit WHERE at = 1") == "••••0000 sha256:withheld|••••aaaa \(keyed)\n")
        #expect(try cli.sql("SELECT count(*) FROM config_audit WHERE old LIKE '%sha256:%' AND old NOT LIKE '%withheld%' OR new LIKE '%sha256:%'") == "0\n")
    }
}
