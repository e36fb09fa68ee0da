import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// roles.md through the real console in tmux, as a support user the operating system lets write
/// the database (in the writers' group, with no role): every change it tries on the Config
/// screen is refused on screen with the reason, and each refusal is audited as `refused` — seen
/// on the Audit screen and in `config history` — while nothing changes.
@Suite(.serialized) struct SupportWriterTmuxTests {
    func console(_ cli: CLIHarness, as user: String) -> String {
        "exec /usr/sbin/runuser -u \(user) -- env TZ=UTC LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) \(CLIHarness.binary)"
    }

    /// The audit rows of `user`, oldest first.
    func audited(_ cli: CLIHarness, by user: String) throws -> [[String: Any]] {
        try cli.history().filter { $0["user"] as? String == user }
    }

    /// Waits (bounded, generous: the cores are shared) until `user` has `count` audit rows.
    func waitForAudit(_ cli: CLIHarness, by user: String, count: Int, after what: String,
                      sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(30)
        var rows: [[String: Any]] = []
        while Date() < deadline {
            rows = try audited(cli, by: user)
            if rows.count >= count { return rows }
            usleep(100_000)
        }
        Issue.record("\(what): \(rows.count) audit rows of \(user), wanted \(count): \(rows)", sourceLocation: sourceLocation)
        return rows
    }

    @Test func everyChangeASupportWriterTriesInTheConsoleIsRefusedWithTheReasonAndAudited() throws {
        let cli = try CLIHarness()
        let engineer = try TemporaryUser(), support = try TemporaryUser()
        #expect(try cli.run(["config", "set", "webhookUrl", "https://merchant.example/hooks/cleo", "--environment", "production"]).status == 0)
        #expect(try cli.run(["config", "set", "customerExternalKeyForCleo", "ext-merchant-42"]).status == 0)
        #expect(try cli.run(["config", "set", "isWebhookSecured", "true"]).status == 0)
        #expect(try cli.run(["users", "grant", engineer.name, "engineer"]).status == 0)
        for (field, value) in [("chileApiKey", ConfigCLITests.chile), ("peruApiKey", ConfigCLITests.peru), ("mexicoApiKey", ConfigCLITests.mexico)] {
            #expect(try cli.run(["config", "set", field], stdin: value).status == 0)
        }
        let group = try WriterGroup(cli, members: [engineer, support])
        let tmux = Tmux()
        defer { tmux.kill(); group.remove(); engineer.remove(); support.remove(); cli.cleanup() }
        for change in try cli.json(["config", "pending", "--json"]) as! [[String: Any]] {
            #expect(try cli.run(as: engineer.name, ["config", "approve", String(change["id"] as! Int)]).status == 0)
        }
        // One change waits for a second person: the support user may neither approve nor reject it.
        #expect(try cli.run(as: engineer.name, ["config", "set", "chileApiKey"], stdin: "sk_cl_WAITING_FOR_CHECKER_4242zzzz").status == 0)
        let waiting = try cli.json(["config", "pending", "--json"]) as! [[String: Any]]
        #expect(waiting.count == 1)
        let id = waiting.first?["id"] as? Int ?? -1
        let configBefore = try cli.run(["config", "show", "--json"]).stdout
        #expect(try audited(cli, by: support.name).isEmpty)

        tmux.start(console(cli, as: support.name), width: 160, height: 45)
        let first = tmux.waitFor("1 Transactions", seconds: 30)
        #expect(first.contains("\(support.name) (support)"), "\(first)")
        #expect(!first.contains("read-only"), "this user can write the database: \(first)")
        tmux.keys("2")
        tmux.waitFor("Waiting for a second person (1)", seconds: 30)
        // Waited for on its own: a capture may catch a frame half drawn (the body before the hints).
        tmux.waitFor("not for support", seconds: 30)

        var expected: [String] = []
        // v, a, x on chileApiKey (selected first; its change waits): the store's reasons.
        let attempts: [(key: String, field: String, reason: String)] = [
            ("v", "chileApiKey", "support may not reveal a secret: that needs the role admin"),
            ("a", "change #\(id)", "support may not approve or reject a pending change: that needs the role engineer"),
            ("x", "change #\(id)", "support may not approve or reject a pending change: that needs the role engineer"),
        ]
        for attempt in attempts {
            tmux.keys(attempt.key)
            tmux.waitFor("\(support.name) is not permitted: \(attempt.reason)", seconds: 30)
            expected.append(attempt.field)
            let rows = try waitForAudit(cli, by: support.name, count: expected.count, after: attempt.key)
            #expect(rows.last?["field"] as? String == attempt.field, "\(attempt.key): \(rows)")
        }
        // Enter on every field (and Space, which toggles isWebhookSecured): the reducer's reason at
        // once, the attempt audited by the store.
        let fields = ["chileApiKey", "peruApiKey", "mexicoApiKey", "customerExternalKeyForCleo", "webhookUrl", "isWebhookSecured"]
        for (index, field) in fields.enumerated() {
            if index > 0 { tmux.keys("j") }
            for key in field == "isWebhookSecured" ? ["Enter", "Space"] : ["Enter"] {
                tmux.keys(key)
                let screen = tmux.waitFor("\(support.name): support may not set \(field): that needs the role engineer", seconds: 30)
                #expect(!screen.contains("Edit \(field)"), "no editor for what the role may not change: \(screen)")
                expected.append(field)
                let rows = try waitForAudit(cli, by: support.name, count: expected.count, after: "\(key) on \(field)")
                #expect(rows.last?["field"] as? String == field, "\(key) on \(field): \(rows)")
            }
        }
        let rows = try audited(cli, by: support.name)
        #expect(rows.compactMap { $0["field"] as? String } == expected, "\(rows)")
        #expect(rows.allSatisfy { $0["result"] as? String == "refused" && $0["new"] is NSNull }, "\(rows)")
        let history = try cli.run(["config", "history"]).stdout
        for field in fields {
            #expect(history.contains("refused (support may not set \(field): that needs the role engineer)"), "\(field): \(history)")
        }

        // The Audit screen shows them: searched by the user's name, the newest first.
        tmux.keys("4")
        tmux.waitFor("Audit trail", seconds: 30)
        tmux.keys("/")
        tmux.type(support.name)
        tmux.keys("Enter")
        tmux.waitFor("\(expected.count) entries, newest first · matching \"\(support.name)\"", seconds: 30)
        // Every row and the newest entry whole below them, polled (a capture may catch a frame half drawn).
        func rowsListed(_ screen: String) -> Int {
            screen.components(separatedBy: "\n").filter { $0.contains(support.name.prefix(12)) && $0.contains(" refused") && !$0.contains(" · ") }.count
        }
        var audit = ""
        let shown = Date().addingTimeInterval(30)
        repeat {
            audit = tmux.screen()
            if rowsListed(audit) == expected.count && audit.contains("support may not set isWebhookSecured: that needs the role engineer") { break }
            usleep(50_000)
        } while Date() < shown
        #expect(rowsListed(audit) == expected.count, "\(audit)")
        #expect(audit.contains("support may not set isWebhookSecured: that needs the role engineer"), "the newest, whole below: \(audit)")
        tmux.keys("q")
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, tmux.run(["list-panes", "-t", "main", "-F", "#{pane_dead}"]).contains("0") { usleep(50_000) }

        // The command line's approve and reject: refused with 77 and the reason, audited too.
        for decision in ["approve", "reject"] {
            let result = try cli.run(as: support.name, ["config", decision, String(id)])
            #expect(result.status == 77, "\(decision): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("\(support.name) is not permitted: support may not approve or reject a pending change"), "\(result.stderr)")
        }
        let after = try audited(cli, by: support.name)
        #expect(after.count == expected.count + 2 && after.suffix(2).allSatisfy { $0["field"] as? String == "change #\(id)" && $0["result"] as? String == "refused" },
                "\(after)")

        // Nothing changed: the configuration, the waiting change, the roles.
        #expect(try cli.run(["config", "show", "--json"]).stdout == configBefore)
        #expect((try cli.json(["config", "pending", "--json"]) as! [[String: Any]]).map { $0["id"] as? Int } == [id])
        #expect(!history.contains("WAITING_FOR_CHECKER"))
    }
}
