import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// roles.md, four eyes in production, with real operating-system users.
@Suite(.serialized) struct FourEyesCLITests {
    func pending(_ cli: CLIHarness) throws -> [[String: Any]] {
        try cli.json(["config", "pending", "--json"]) as! [[String: Any]]
    }

    func exported(_ cli: CLIHarness, as user: String) throws -> [String: Any] {
        let result = try cli.run(as: user, ["config", "export"])
        #expect(result.status == 0, "\(result.stderr)")
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
    }

    @Test func inProductionAKeyChangeWaitsForASecondPersonAndTheOldKeyStaysInForce() throws {
        let cli = try CLIHarness()
        let maker = try TemporaryUser(), checker = try TemporaryUser(), support = try TemporaryUser()
        defer { maker.remove(); checker.remove(); support.remove(); cli.cleanup() }
        #expect(try cli.run(["config", "set", "webhookUrl", "https://merchant.example/hooks/cleo", "--environment", "production"]).status == 0)
        #expect(try cli.run(["config", "set", "customerExternalKeyForCleo", "ext-merchant-42"]).status == 0)
        for name in [maker.name, checker.name] { #expect(try cli.run(["users", "grant", name, "engineer"]).status == 0) }
        // The first keys wait too (roles.md: a change of a regional key): root proposes, the maker approves.
        for (field, value) in [("chileApiKey", ConfigCLITests.chile), ("peruApiKey", ConfigCLITests.peru), ("mexicoApiKey", ConfigCLITests.mexico)] {
            let proposed = try cli.run(["config", "set", field], stdin: value)
            #expect(proposed.status == 0, "\(proposed.stderr)")
            #expect(proposed.stdout.contains("proposed #") && proposed.stdout.contains("waits for a second person"), "\(proposed.stdout)")
            #expect(!proposed.stdout.contains(value))
        }
        #expect((try cli.json(["config", "show", "--json"]) as! [String: Any])["complete"] as? Bool == false, "nothing applied before approval")
        cli.openToEveryone()
        for change in try pending(cli) {
            let approved = try cli.run(as: maker.name, ["config", "approve", String(change["id"] as! Int)])
            #expect(approved.status == 0, "\(approved.stderr)")
        }
        #expect(try pending(cli).isEmpty)
        #expect((try exported(cli, as: checker.name)["cleoApiKey"] as? [String: Any])?["chileApiKey"] as? String == ConfigCLITests.chile)

        // The maker replaces Chile's key: proposed; the export still gives the old one.
        let replacement = "sk_cl_REPLACED_9999zzzz"
        let proposal = try cli.run(as: maker.name, ["config", "set", "chileApiKey"], stdin: replacement)
        #expect(proposal.status == 0, "\(proposal.stderr)")
        let waiting = try pending(cli)
        #expect(waiting.count == 1)
        let id = String(waiting[0]["id"] as! Int)
        #expect(waiting[0]["field"] as? String == "chileApiKey")
        #expect(waiting[0]["proposedBy"] as? String == maker.name)
        #expect((waiting[0]["new"] as? String)?.hasPrefix("••••") == true && waiting[0]["old"] is String && waiting[0]["expiresAt"] is String)
        #expect(!(try cli.run(["config", "pending", "--json"]).stdout.contains(replacement)))
        #expect((try exported(cli, as: checker.name)["cleoApiKey"] as? [String: Any])?["chileApiKey"] as? String == ConfigCLITests.chile)

        // Not by its proposer, not by support.
        let own = try cli.run(as: maker.name, ["config", "approve", id])
        #expect(own.status == 77, "\(own.stderr)")
        #expect(own.stderr.contains("their own change #\(id)"), "\(own.stderr)")
        let bySupport = try cli.run(as: support.name, ["config", "approve", id])
        #expect(bySupport.status == 77 && bySupport.stderr.contains("support may not approve"), "\(bySupport.stderr)")
        #expect(try cli.run(as: checker.name, ["config", "approve", "999"]).status == 65)

        let approved = try cli.run(as: checker.name, ["config", "approve", id])
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect((try exported(cli, as: maker.name)["cleoApiKey"] as? [String: Any])?["chileApiKey"] as? String == replacement)
        #expect(try cli.run(as: checker.name, ["config", "approve", id]).status == 65, "decided once")

        // Turning security on applies at once; turning it off waits, and a rejection keeps it on.
        #expect(try cli.run(as: maker.name, ["config", "set", "isWebhookSecured", "true"]).status == 0)
        #expect(try cli.run(as: maker.name, ["config", "set", "isWebhookSecured", "false"]).status == 0)
        let off = try pending(cli)
        #expect(off.count == 1 && off.first?["field"] as? String == "isWebhookSecured")
        #expect(try cli.run(as: checker.name, ["config", "reject", String(off[0]["id"] as! Int)]).status == 0)
        #expect((try cli.json(["config", "show", "--json"]) as! [String: Any])["isWebhookSecured"] as? Bool == true)

        let results = try cli.history().compactMap { $0["result"] as? String }
        for result in ["proposed", "approved", "rejected", "refused"] { #expect(results.contains(result), "\(results)") }
        #expect(try cli.history().filter { $0["result"] as? String == "approved" }.allSatisfy { $0["user"] as? String != nil })
    }

    @Test func inSandboxKeysApplyAtOnce() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        try cli.configureAll()
        #expect(try pending(cli).isEmpty)
        #expect((try cli.json(["config", "show", "--json"]) as! [String: Any])["complete"] as? Bool == true)
    }
}
