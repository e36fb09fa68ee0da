import CleoDomain
import CleoStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `revealSecret` (roles.md: reveal is admin only, audited as `viewed`): the value comes back only
/// after the viewing is recorded, the row never holds it, and any other role is refused and audited.
@Suite struct RevealStoreTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cleo-reveal-\(UUID().uuidString)").path
    let t0 = Timestamp(millisecondsSince1970: 1_800_000_000_000)
    let key = "sk_cl_REVEAL_STORE_4242abcd"

    func database() throws -> (AppDatabase, Actor) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let database = try AppDatabase.open(path: folder + "/console.db")
        let creator = Actor(user: String(cString: getpwuid(getuid())!.pointee.pw_name), origin: "local")
        try database.grant(.engineer, to: "erin", actor: creator, now: t0)
        try database.saveConfiguration([(.chileApiKey, key)], expectedVersion: nil, actor: creator, now: t0)
        return (database, creator)
    }

    @Test func anAdminGetsTheValueAndTheViewingIsAuditedWithoutIt() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (database, admin) = try database()
        #expect(try database.revealSecret(.config(.chileApiKey), actor: admin, now: t0) == key)
        #expect(try database.revealSecret(.config(.peruApiKey), actor: admin, now: t0) == nil, "not set: nothing to reveal")
        let viewed = try database.auditTrail().filter { $0.result == .viewed }
        #expect(viewed.count == 1)
        #expect(viewed.first?.user == admin.user && viewed.first?.field == "chileApiKey")
        #expect(viewed.first?.old?.hasPrefix("••••abcd") == true)
        #expect(!viewed.contains { [$0.old, $0.new, $0.detail].contains { $0?.contains(key) == true } })
    }

    @Test func webhookAuthorizationIsRevealedAndAuditedLikeAKey() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (database, admin) = try database()
        #expect(try database.revealSecret(.webhookAuthorization, actor: admin, now: t0) == nil, "not set: nothing to reveal")
        let secret = "Bearer serve-REVEAL-9876wxyz"
        try database.setWebhookAuthorization(secret, actor: admin, now: t0)
        #expect(try database.revealSecret(.webhookAuthorization, actor: admin, now: t0) == secret)
        #expect(throws: PermissionRefusal.self) { try database.revealSecret(.webhookAuthorization, actor: Actor(user: "erin", origin: "local"), now: t0) }
        let trail = try database.auditTrail()
        let viewed = trail.filter { $0.result == .viewed }
        #expect(viewed.map(\.field) == ["webhookAuthorization"])
        #expect(viewed.first?.old == (try database.webhookAuthorizationHint()?.display))
        #expect(trail.contains { $0.result == .refused && $0.field == "webhookAuthorization" && $0.user == "erin" })
        #expect(!trail.contains { [$0.old, $0.new, $0.detail].contains { $0?.contains(secret) == true } })
    }

    @Test func anEngineerAndSupportAreRefusedAndTheRefusalIsAudited() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (database, _) = try database()
        for user in ["erin", "sam"] {
            #expect(throws: PermissionRefusal.self) { try database.revealSecret(.config(.chileApiKey), actor: Actor(user: user, origin: "local"), now: t0) }
        }
        let trail = try database.auditTrail()
        #expect(trail.filter { $0.result == .viewed }.isEmpty)
        let refused = trail.filter { $0.result == .refused && $0.field == "chileApiKey" }
        #expect(refused.map(\.user) == ["erin", "sam"])
        #expect(refused.allSatisfy { $0.detail?.contains("may not reveal a secret") == true })
    }

    @Test func aDatabaseOpenedReadOnlyRevealsNothing() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (_, admin) = try database()
        let reader = try AppDatabase.openReadOnly(path: folder + "/console.db")
        #expect(throws: PermissionRefusal.self) { try reader.revealSecret(.config(.chileApiKey), actor: admin, now: t0) }
    }
}
