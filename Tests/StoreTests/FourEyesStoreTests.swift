import CleoDomain
import CleoStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The store's half of roles.md at chosen times: expiry after 24 hours, lifecycle of a key.
@Suite struct FourEyesStoreTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-4eyes-\(UUID().uuidString)").path
    let t0 = Timestamp(millisecondsSince1970: 1_800_000_000_000)
    let alice = Actor(user: "alice", origin: "ssh 10.0.0.1"), bob = Actor(user: "bob", origin: "local")

    func database(_ environment: ConsoleEnvironment) throws -> AppDatabase {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let database = try AppDatabase.open(path: folder + "/console.db", environment: environment)
        let creator = Actor(user: String(cString: getpwuid(getuid())!.pointee.pw_name), origin: "local")
        for user in ["alice", "bob"] { try database.grant(.engineer, to: user, actor: creator, now: t0) }
        return database
    }

    @Test func aProposalExpiresUnapprovedAfter24HoursIsAuditedAndNeverApplies() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try database(.production)
        let outcome = try database.saveOrPropose([(.chileApiKey, "sk_cl_expiring_1234")], expectedVersion: nil, actor: alice, now: t0)
        #expect(outcome.proposed.count == 1)
        let id = outcome.proposed[0].id
        #expect(try database.pendingChanges(now: t0.adding(milliseconds: FourEyes.expiryMilliseconds - 1)).map(\.id) == [id])
        let later = t0.adding(milliseconds: FourEyes.expiryMilliseconds)
        #expect(try database.pendingChanges(now: later).isEmpty)
        #expect(throws: PendingRefusal.decided(id: id, state: "expired")) { try database.decide(.approve, id: id, actor: bob, now: later) }
        #expect(try database.configuration().secrets[.chileApiKey] == nil)
        let expired = try database.auditTrail().filter { $0.result == .expired }
        #expect(expired.count == 1 && expired.first?.user == "alice")
    }

    /// The refusal's audit row was written inside the transaction the refusal then rolled back.
    @Test func aSaveRefusedBecauseAnotherSavedMeanwhileIsAudited() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try database(.sandbox)
        try database.saveConfiguration([(.webhookUrl, "https://merchant.example/a")], expectedVersion: nil, actor: alice, now: t0)
        let seen = try database.configuration().version
        try database.saveConfiguration([(.webhookUrl, "https://merchant.example/b")], expectedVersion: seen, actor: alice, now: t0)
        #expect(throws: StoreError.self) {
            try database.saveConfiguration([(.webhookUrl, "https://merchant.example/c")], expectedVersion: seen, actor: bob, now: t0)
        }
        let refused = try database.auditTrail().filter { $0.result == .refused && $0.user == "bob" }
        #expect(refused.count == 1)
        #expect(refused.first?.detail?.contains("changed by alice since loaded") == true)
        // The attempted value is named, as every refused value is (never "–").
        #expect(refused.first?.old == "https://merchant.example/b" && refused.first?.new == "https://merchant.example/c")
        #expect(try database.configuration().plain[.webhookUrl] == "https://merchant.example/b")
    }

    @Test func aReplacedKeyKeepsWhenAndByWhomAndThePreviousFingerprintOnly() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try database(.sandbox)
        try database.saveConfiguration([(.peruApiKey, "sk_pe_first_key_0001")], expectedVersion: nil, actor: alice, now: t0)
        let first = try database.configuration().secrets[.peruApiKey]!.fingerprint
        try database.saveConfiguration([(.peruApiKey, "sk_pe_second_key_002")], expectedVersion: nil, actor: bob, now: t0.adding(milliseconds: 60_000))
        let lifecycle = try database.keyLifecycle()[.peruApiKey]
        #expect(lifecycle?.setBy == "bob")
        #expect(lifecycle?.setFrom == "local")
        #expect(lifecycle?.setAt == t0.adding(milliseconds: 60_000))
        #expect(lifecycle?.previousFingerprint == first)
        #expect(try database.keyLifecycle()[.chileApiKey] == nil)
    }
}
