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
}
