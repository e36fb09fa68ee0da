import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// roles.md, four eyes for `webhookAuthorization` in production, with real operating-system
/// users: proposed, listed, approved only by another engineer, and serve keeps answering with the
/// old value until the approval (it reloads its settings every 0.5 s).
@Suite(.serialized) struct WebhookAuthorizationFourEyesCLITests {
    let first = "Bearer first-4e-0000aaaa", second = "Bearer second-4e-9999zzzz"

    func pending(_ cli: CLIHarness) throws -> [[String: Any]] {
        try cli.json(["config", "pending", "--json"]) as! [[String: Any]]
    }

    func post(_ serve: ServeProcess, _ id: String, authorization: String) throws -> Int {
        try RawHTTP.post(port: serve.port, webhookLine(id), headers: [("Content-Type", "application/json"), ("Authorization", authorization)]).status
    }

    @Test func inProductionAChangeWaitsForASecondPersonAndServeKeepsTheOldValue() throws {
        let cli = try CLIHarness()
        let maker = try TemporaryUser(), checker = try TemporaryUser()
        defer { maker.remove(); checker.remove(); cli.cleanup() }
        #expect(try cli.run(["config", "set", "webhookUrl", "https://ops.example.com/hooks/cleo", "--environment", "production"]).status == 0)
        for name in [maker.name, checker.name] { #expect(try cli.run(["users", "grant", name, "engineer"]).status == 0) }

        // The first value waits too: root proposes, the checker approves.
        let proposed = try cli.run(["config", "set", "webhookAuthorization"], stdin: first + "\n")
        #expect(proposed.status == 0, "\(proposed.stderr)")
        #expect(proposed.stdout.contains("proposed #") && proposed.stdout.contains("waits for a second person"), "\(proposed.stdout)")
        #expect(!proposed.stdout.contains("first-4e"))
        #expect((try cli.json(["config", "show", "--json"]) as! [String: Any])["webhookAuthorization"] is NSNull, "nothing in force before approval")
        let waiting = try pending(cli)
        #expect(waiting.count == 1 && waiting.first?["field"] as? String == "webhookAuthorization")
        #expect((waiting.first?["new"] as? String)?.hasPrefix("••••") == true && waiting.first?["old"] is NSNull)
        let listed = try cli.run(["config", "pending"])
        #expect(listed.stdout.contains("webhookAuthorization") && !listed.stdout.contains("first-4e"), "\(listed.stdout)")
        let firstID = String(try #require(waiting.first?["id"] as? Int))
        cli.openToEveryone()  // once the key file exists (the first secret makes it)
        let approved = try cli.run(as: checker.name, ["config", "approve", firstID])
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(!approved.stdout.contains("first-4e"))
        #expect((try cli.json(["config", "show", "--json"]) as! [String: Any])["webhookAuthorization"] is String)
        // Turning security on applies at once.
        #expect(try cli.run(as: maker.name, ["config", "set", "isWebhookSecured", "true"]).status == 0)

        let serve = try ServeProcess(cli)
        defer { serve.stop() }
        #expect(try post(serve, "wa-1", authorization: first) == 200)

        // The maker replaces it: proposed; not approvable by the maker; serve keeps the first.
        let replacement = try cli.run(as: maker.name, ["config", "set", "webhookAuthorization"], stdin: second + "\n")
        #expect(replacement.status == 0 && replacement.stdout.contains("proposed #"), "\(replacement.stdout) \(replacement.stderr)")
        let again = try pending(cli)
        #expect(again.count == 1 && again.first?["proposedBy"] as? String == maker.name && again.first?["old"] is String)
        let id = String(try #require(again.first?["id"] as? Int))
        let own = try cli.run(as: maker.name, ["config", "approve", id])
        #expect(own.status == 77 && own.stderr.contains("their own change #\(id)"), "\(own.stderr)")
        // Several reloads (every 0.5 s) later the old value still answers and the new one is refused.
        let start = Date()
        var index = 0
        while Date().timeIntervalSince(start) < 1.5 {
            index += 1
            #expect(try post(serve, "wa-old-\(index)", authorization: first) == 200)
            #expect(try post(serve, "wa-new-\(index)", authorization: second) == 401)
            usleep(200_000)
        }

        #expect(try cli.run(as: checker.name, ["config", "approve", id]).status == 0)
        let picked = try pollStatus(200, seconds: 3) { try post(serve, "wa-2", authorization: second) }
        #expect(picked.status == 200 && picked.after < 2)
        #expect(try post(serve, "wa-3", authorization: first) == 401)

        let rows = try cli.history().filter { $0["field"] as? String == "webhookAuthorization" }
        let results = rows.compactMap { $0["result"] as? String }
        for result in ["proposed", "approved", "refused"] { #expect(results.contains(result), "\(results)") }
        let all = try cli.run(["config", "history", "--json"]).stdout
        #expect(!all.contains("first-4e") && !all.contains("second-4e"))
    }

    @Test func inSandboxItIsSavedAtOnce() throws {
        let cli = try CLIHarness()
        defer { cli.cleanup() }
        let set = try cli.run(["config", "set", "webhookAuthorization"], stdin: first + "\n")
        #expect(set.status == 0 && set.stdout.hasPrefix("saved webhookAuthorization"), "\(set.stdout) \(set.stderr)")
        #expect(try pending(cli).isEmpty)
        #expect((try cli.json(["config", "show", "--json"]) as! [String: Any])["webhookAuthorization"] is String)
    }
}
