import CleoDomain
import CleoStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// roles.md, four eyes: in production a change of `webhookAuthorization` is proposed like a
/// regional key's and the old value stays in force (serve reads `webhookAuthorization()`) until
/// another engineer or admin approves it; in sandbox it is saved at once.
@Suite struct WebhookAuthorizationFourEyesTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-wa4eyes-\(UUID().uuidString)").path
    let t0 = Timestamp(millisecondsSince1970: 1_800_000_000_000)
    let alice = Actor(user: "alice", origin: "ssh 10.0.0.1"), bob = Actor(user: "bob", origin: "local")
    let first = "Bearer first-0000-aaaa-1111", second = "Bearer second-9999-zzzz-2222"

    func database(_ environment: ConsoleEnvironment) throws -> AppDatabase {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let database = try AppDatabase.open(path: folder + "/console.db", environment: environment)
        let creator = Actor(user: String(cString: getpwuid(getuid())!.pointee.pw_name), origin: "local")
        for user in ["alice", "bob"] { try database.grant(.engineer, to: user, actor: creator, now: t0) }
        return database
    }

    func proposed(_ outcome: AppDatabase.WebhookAuthorizationOutcome) -> PendingChange? {
        if case .proposed(let change) = outcome { return change }
        return nil
    }

    /// A production database whose value is `first` (proposed by alice, approved by bob).
    func productionWithFirstValue() throws -> AppDatabase {
        let database = try database(.production)
        let change = try #require(proposed(try database.setWebhookAuthorization(first, actor: alice, now: t0)))
        #expect(try database.webhookAuthorization() == nil, "nothing in force before approval")
        try database.decide(.approve, id: change.id, actor: bob, now: t0)
        #expect(try database.webhookAuthorization() == first)
        return database
    }

    @Test func inProductionAChangeIsProposedMaskedAndTheOldValueStaysUntilAnotherApproves() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try productionWithFirstValue()
        let oldHint = try #require(try database.webhookAuthorizationHint())
        let version = try database.configuration().version
        let change = try #require(proposed(try database.setWebhookAuthorization(second, actor: alice, now: t0.adding(milliseconds: 1_000))))
        #expect(change.field == .webhookAuthorization && change.proposedBy == "alice")
        #expect(change.old == oldHint.display)
        #expect(change.new.hasPrefix("••••") && !change.new.contains("second-9999"))
        #expect(change.expiresAt == t0.adding(milliseconds: 1_000 + FourEyes.expiryMilliseconds))
        // The old value in force, the configuration untouched.
        #expect(try database.webhookAuthorization() == first)
        #expect(try database.webhookAuthorizationHint() == oldHint)
        #expect(try database.configuration().version == version)
        #expect(try database.pendingChanges(now: t0.adding(milliseconds: 2_000)) == [change])
        let proposal = try #require(try database.auditTrail().last)
        #expect(proposal.result == .proposed && proposal.field == "webhookAuthorization" && proposal.user == "alice" && proposal.new == change.new)
        // Sealed while it waits: its clear value is nowhere in the files.
        for file in [folder + "/console.db", folder + "/console.db-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            #expect(bytes.range(of: Data("second-9999".utf8)) == nil, "\(file)")
        }

        let approved = try database.decide(.approve, id: change.id, actor: bob, now: t0.adding(milliseconds: 3_000))
        #expect(approved.state == .approved && approved.field == .webhookAuthorization)
        #expect(try database.webhookAuthorization() == second)
        #expect(try database.webhookAuthorizationHint()?.display == change.new)
        #expect(try database.configuration().version > version, "serve reloads on the version")
        #expect(try database.pendingChanges(now: t0.adding(milliseconds: 4_000)).isEmpty)
        let last = try #require(try database.auditTrail().last)
        #expect(last.result == .approved && last.user == "bob" && last.field == "webhookAuthorization" && last.old == oldHint.display && last.new == change.new)
    }

    @Test func theProposerCannotApproveTheirOwnChange() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try productionWithFirstValue()
        let change = try #require(proposed(try database.setWebhookAuthorization(second, actor: alice, now: t0)))
        #expect(throws: PermissionRefusal.self) { try database.decide(.approve, id: change.id, actor: alice, now: t0) }
        #expect(throws: PermissionRefusal.self) { try database.decide(.reject, id: change.id, actor: alice, now: t0) }
        #expect(try database.webhookAuthorization() == first)
        #expect(try database.pendingChanges(now: t0).map(\.id) == [change.id])
        let refused = try #require(try database.auditTrail().last)
        #expect(refused.result == .refused && refused.user == "alice" && refused.field == "webhookAuthorization")
        #expect(refused.detail?.contains("their own change #\(change.id)") == true)
    }

    @Test func aRejectedChangeLeavesTheOldValue() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try productionWithFirstValue()
        let change = try #require(proposed(try database.setWebhookAuthorization(second, actor: alice, now: t0)))
        let rejected = try database.decide(.reject, id: change.id, actor: bob, now: t0)
        #expect(rejected.state == .rejected)
        #expect(try database.webhookAuthorization() == first)
        #expect(try database.pendingChanges(now: t0).isEmpty)
        #expect(throws: PendingRefusal.decided(id: change.id, state: "rejected")) { try database.decide(.approve, id: change.id, actor: bob, now: t0) }
        let last = try #require(try database.auditTrail().last { $0.result != .refused })
        #expect(last.result == .rejected && last.user == "bob" && last.field == "webhookAuthorization")
    }

    @Test func aProposalExpiresUnapprovedAfter24Hours() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try productionWithFirstValue()
        let change = try #require(proposed(try database.setWebhookAuthorization(second, actor: alice, now: t0)))
        #expect(try database.pendingChanges(now: t0.adding(milliseconds: FourEyes.expiryMilliseconds - 1)).map(\.id) == [change.id])
        let later = t0.adding(milliseconds: FourEyes.expiryMilliseconds)
        #expect(try database.pendingChanges(now: later).isEmpty)
        #expect(throws: PendingRefusal.decided(id: change.id, state: "expired")) { try database.decide(.approve, id: change.id, actor: bob, now: later) }
        #expect(try database.webhookAuthorization() == first)
        let expired = try database.auditTrail().filter { $0.result == .expired }
        #expect(expired.count == 1 && expired.first?.user == "alice" && expired.first?.field == "webhookAuthorization")
    }

    @Test func inSandboxAChangeIsSavedAtOnce() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = try database(.sandbox)
        let outcome = try database.setWebhookAuthorization(first, actor: alice, now: t0)
        guard case .saved(let hint) = outcome else { Issue.record("proposed in sandbox: \(outcome)"); return }
        #expect(try database.webhookAuthorization() == first)
        #expect(try database.webhookAuthorizationHint() == hint)
        #expect(try database.pendingChanges(now: t0).isEmpty)
        #expect(try database.auditTrail().last?.result == .saved)
    }
}
