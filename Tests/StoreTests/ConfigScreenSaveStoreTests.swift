import CleoDomain
import CleoStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The Config screen's save: `webhookAuthorization` with the six fields in one version, through
/// `config set webhookAuthorization`'s checks and write; completeness that counts it while the
/// webhook is secured; and the fingerprint an unsaved secret is shown with is the one stored.
@Suite struct ConfigScreenSaveStoreTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-cfgsave-\(UUID().uuidString)").path
    let t0 = Timestamp(millisecondsSince1970: 1_800_000_000_000)
    let alice = Actor(user: "alice", origin: "ssh 10.0.0.1")
    let value = "Bearer screen-0000-aaaa-1111"

    func database(_ environment: ConsoleEnvironment) throws -> AppDatabase {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let database = try AppDatabase.open(path: folder + "/console.db", environment: environment)
        let creator = Actor(user: String(cString: getpwuid(getuid())!.pointee.pw_name), origin: "local")
        try database.grant(.engineer, to: "alice", actor: creator, now: t0)
        return database
    }

    @Test func sandboxSavesItWithTheFieldsInOneVersionAndAuditsIt() throws {
        let database = try database(.sandbox)
        let before = try database.configuration().version
        let outcome = try database.saveOrPropose([(.isWebhookSecured, "true")], authorization: value, expectedVersion: before, actor: alice, now: t0)
        #expect(outcome.proposed.isEmpty)
        #expect(outcome.stored.version == before + 1, "one save, one version")
        #expect(try database.webhookAuthorization() == value)
        let hint = try #require(outcome.stored.webhookAuthorization)
        #expect(hint == (try database.webhookAuthorizationHint()))
        #expect(hint.fingerprint.hasPrefix("hmac:"))
        let audit = try database.auditTrail().filter { $0.field == "webhookAuthorization" }
        #expect(audit.count == 1 && audit[0].result == .saved && audit[0].user == "alice" && audit[0].new == hint.display)
        #expect(!(audit[0].new ?? "").contains("screen-0000"))
    }

    @Test func productionProposesItAndTheSecuredFlagAppliesAtOnce() throws {
        let database = try database(.production)
        let outcome = try database.saveOrPropose([(.isWebhookSecured, "true")], authorization: value, expectedVersion: nil, actor: alice, now: t0)
        #expect(outcome.proposed.map(\.field) == [.webhookAuthorization])
        #expect(try database.webhookAuthorization() == nil, "nothing in force before approval")
        #expect(outcome.stored.isWebhookSecured)
        #expect(try database.pendingChanges(now: t0).map(\.field) == [.webhookAuthorization])
    }

    @Test func aRefusedValueStoresNothingAndIsAuditedWithoutIt() throws {
        let database = try database(.sandbox)
        #expect(throws: WebhookAuthorizationRefusal.self) {
            try database.saveOrPropose([(.webhookUrl, "https://merchant.example/a")], authorization: "Bearer x\n", expectedVersion: nil, actor: alice, now: t0)
        }
        #expect(try database.configuration().plain[.webhookUrl] == nil, "the fields of a refused save are not stored either")
        #expect(try database.webhookAuthorization() == nil)
        let refused = try #require(try database.auditTrail().last)
        #expect(refused.result == .refused && refused.field == "webhookAuthorization" && refused.new == "(refused value not recorded)")
    }

    @Test func securedWithoutItIsIncompleteAndNotExported() throws {
        let database = try database(.sandbox)
        let fields: [(ConfigField, String)] = [(.chileApiKey, "sk_cl_0000000000000001"), (.peruApiKey, "sk_pe_0000000000000002"),
                                               (.mexicoApiKey, "sk_mx_0000000000000003"), (.customerExternalKeyForCleo, "merchant-42"),
                                               (.webhookUrl, "https://merchant.example/a"), (.isWebhookSecured, "true")]
        try database.saveConfiguration(fields, expectedVersion: nil, actor: alice, now: t0)
        let stored = try database.configuration()
        #expect(!stored.isComplete)
        #expect(stored.missingNames == ["webhookAuthorization"])
        #expect(throws: ExportRefusal.incomplete(missing: ["webhookAuthorization"])) {
            try database.exportConfiguration(actor: alice, now: t0) { _ in }
        }
        try database.setWebhookAuthorization(value, actor: alice, now: t0)
        #expect(try database.configuration().isComplete)
    }

    @Test func theFingerprintShownBeforeSavingIsTheOneStored() throws {
        let database = try database(.sandbox)
        #expect(try database.storedFingerprint(of: "sk_mx_0000000000000003") == nil, "no key file is made just to show a fingerprint")
        try database.saveConfiguration([(.chileApiKey, "sk_cl_0000000000000001")], expectedVersion: nil, actor: alice, now: t0)
        let shown = try #require(try database.storedFingerprint(of: "sk_mx_0000000000000003"))
        #expect(shown != SecretMask.fingerprint("sk_mx_0000000000000003"))
        let stored = try database.saveConfiguration([(.mexicoApiKey, "sk_mx_0000000000000003")], expectedVersion: nil, actor: alice, now: t0)
        #expect(stored.secrets[.mexicoApiKey]?.fingerprint == shown)
        #expect(try database.storedFingerprint(of: value) == (try database.setWebhookAuthorization(value, actor: alice, now: t0)).hint?.fingerprint)
    }
}

extension AppDatabase.WebhookAuthorizationOutcome {
    var hint: StoredConfiguration.SecretHint? {
        if case .saved(let hint) = self { return hint }
        return nil
    }
}
