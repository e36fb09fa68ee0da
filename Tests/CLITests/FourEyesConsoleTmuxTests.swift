import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Four eyes and reveal through the real console in tmux (roles.md), with real operating-system
/// users: an engineer proposes a production key on the command line, another approves it with
/// `a` in the console; the proposer's own `a` is refused; a support user's console is read-only
/// and refused with the reason; an admin reveals a key for at most 10 s, audited as `viewed`.
@Suite(.serialized) struct FourEyesConsoleTmuxTests {
    func console(_ cli: CLIHarness, as user: String) -> String {
        "exec /usr/sbin/runuser -u \(user) -- env TZ=UTC LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) \(CLIHarness.binary)"
    }

    func pending(_ cli: CLIHarness) throws -> [[String: Any]] {
        try cli.json(["config", "pending", "--json"]) as! [[String: Any]]
    }

    /// Quits the console and waits (bounded) for it to end.
    func quit(_ tmux: Tmux) {
        tmux.keys("q")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, tmux.run(["list-panes", "-t", "main", "-F", "#{pane_dead}"]).contains("0") { usleep(50_000) }
    }

    @Test func anotherPersonApprovesWithAInTheConsoleTheProposerIsRefusedAndSupportIsReadOnly() throws {
        let cli = try CLIHarness()
        let maker = try TemporaryUser(), checker = try TemporaryUser(), support = try TemporaryUser()
        defer { maker.remove(); checker.remove(); support.remove(); cli.cleanup() }
        #expect(try cli.run(["config", "set", "webhookUrl", "https://merchant.example/hooks/cleo", "--environment", "production"]).status == 0)
        #expect(try cli.run(["config", "set", "customerExternalKeyForCleo", "ext-merchant-42"]).status == 0)
        for name in [maker.name, checker.name] { #expect(try cli.run(["users", "grant", name, "engineer"]).status == 0) }
        for (field, value) in [("chileApiKey", ConfigCLITests.chile), ("peruApiKey", ConfigCLITests.peru), ("mexicoApiKey", ConfigCLITests.mexico)] {
            #expect(try cli.run(["config", "set", field], stdin: value).status == 0)
        }
        cli.openToEveryone()
        for change in try pending(cli) {
            #expect(try cli.run(as: maker.name, ["config", "approve", String(change["id"] as! Int)]).status == 0)
        }

        // The maker proposes a new Chile key on the command line.
        let replacement = "sk_cl_FOUR_EYES_TUI_7777qqqq"
        #expect(try cli.run(as: maker.name, ["config", "set", "chileApiKey"], stdin: replacement).status == 0)
        let waiting = try pending(cli)
        #expect(waiting.count == 1)
        let id = waiting.first?["id"] as? Int ?? -1

        // The checker opens the console, sees it pending, presses a, confirms.
        do {
            let tmux = Tmux()
            defer { tmux.kill() }
            tmux.start(console(cli, as: checker.name), width: 120, height: 30)
            tmux.waitFor("1 Transactions", seconds: 20)
            tmux.keys("2")
            let listed = tmux.waitFor("Waiting for a second person (1)", seconds: 15)
            #expect(listed.contains("#\(id) chileApiKey") && listed.contains(maker.name), "\(listed)")
            #expect(!listed.contains(replacement))
            tmux.keys("a")
            let asked = tmux.waitFor("Approve change #\(id)?")
            #expect(asked.contains("y approves: chileApiKey becomes the new value now, in PRODUCTION"), "\(asked)")
            tmux.keys("y")
            tmux.waitFor("#\(id) chileApiKey approved: now in force", seconds: 15)
            quit(tmux)
        }
        #expect(try pending(cli).isEmpty)
        let export = try cli.run(as: checker.name, ["config", "export"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains(replacement), "the new key is in force")
        #expect(try cli.run(["config", "check", "chileApiKey"], stdin: replacement + "\n").status == 0)
        let approved = try cli.history().filter { $0["result"] as? String == "approved" && $0["field"] as? String == "chileApiKey" }
        #expect(approved.last?["user"] as? String == checker.name)

        // The maker's own change: a is refused with the reason, and the refusal is audited as the CLI's.
        #expect(try cli.run(as: maker.name, ["config", "set", "peruApiKey"], stdin: "sk_pe_OWN_CHANGE_5555rrrr").status == 0)
        let own = try pending(cli).first?["id"] as? Int ?? -1
        do {
            let tmux = Tmux()
            defer { tmux.kill() }
            tmux.start(console(cli, as: maker.name), width: 120, height: 30)
            tmux.waitFor("1 Transactions", seconds: 20)
            tmux.keys("2")
            tmux.waitFor("Waiting for a second person (1)", seconds: 15)
            tmux.keys("j")
            tmux.keys("a")
            let refused = tmux.waitFor("may not approve their own change #\(own): it needs a second person", seconds: 15)
            #expect(!refused.contains("Approve change #"), "no question for what the store refuses")
            // An engineer may not reveal (roles.md: admin only): refused with the reason, audited.
            tmux.keys("v")
            let notRevealed = tmux.waitFor("engineer may not reveal a secret: that needs the role admin", seconds: 15)
            #expect(!notRevealed.contains("sk_pe_OWN_CHANGE") && !notRevealed.contains(ConfigCLITests.peru))
            quit(tmux)
        }
        #expect(try pending(cli).count == 1, "still waiting")
        let refusals = try cli.history().suffix(2)
        #expect(refusals.count == 2 && refusals.allSatisfy { $0["result"] as? String == "refused" && $0["user"] as? String == maker.name },
                "\(refusals)")

        // Support, on a database it may only read: a read-only console, a refused with the reason.
        chmod(cli.directory.path, 0o755)
        for suffix in ["", "-wal", "-shm"] { chmod(cli.db + suffix, 0o644) }
        let rows = try cli.history().count
        do {
            let tmux = Tmux()
            defer { tmux.kill() }
            tmux.start(console(cli, as: support.name), width: 180, height: 30)
            let first = tmux.waitFor("1 Transactions", seconds: 20)
            #expect(first.contains("\(support.name) (support, read-only)"), "\(first)")
            tmux.keys("2")
            tmux.waitFor("Waiting for a second person (1)", seconds: 15)
            // The hints row may be captured a moment after the body (tmux mid-frame): waited for.
            tmux.waitFor("a x v not for support", seconds: 5)
            tmux.keys("j")
            tmux.keys("a")
            tmux.waitFor("support may not approve or reject a pending change: that needs the role engineer", seconds: 15)
            tmux.keys("v")
            tmux.waitFor("support may not reveal a secret: that needs the role admin", seconds: 15)
            quit(tmux)
        }
        #expect(try pending(cli).count == 1)
        #expect(try cli.history().count == rows, "a user who may only read leaves no row")
    }

    @Test func anAdminRevealsAKeyForAtMostTenSecondsAndTheViewingIsAudited() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        let key = "sk_cl_REVEAL_IN_TMUX_8888ssss"
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: key + "\n").status == 0)
        tmux.start(ConsoleTmuxTests().consoleCommand(cli), width: 120, height: 30)
        tmux.waitFor("1 Transactions", seconds: 20)
        tmux.keys("2")
        let masked = tmux.waitFor("••••ssss", seconds: 15)
        #expect(!masked.contains(key))
        tmux.keys("v")
        tmux.waitFor("Reveal chileApiKey?")
        tmux.keys("y")
        tmux.waitFor(key, seconds: 15)
        let shownAt = Date()
        // Gone by itself, without a key: within 10 s of being shown. Measured from when this test
        // saw it (after the hand-out), so only the upper bound is the promise; the reducer's 9 s is
        // tested with a clock the test moves (RevealLoopTests).
        var hiddenAfter: TimeInterval?
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let screen = tmux.screen()
            if !screen.contains(key) && screen.contains("••••ssss") {
                hiddenAfter = Date().timeIntervalSince(shownAt)
                break
            }
            usleep(100_000)
        }
        #expect(hiddenAfter != nil, "never hidden")
        if let hiddenAfter { #expect(hiddenAfter > 2 && hiddenAfter <= 10.5, "hidden after \(hiddenAfter) s") }
        let viewed = try cli.history().filter { $0["result"] as? String == "viewed" }
        #expect(viewed.count == 1)
        #expect(viewed.first?["field"] as? String == "chileApiKey")
        let history = try cli.run(["config", "history", "--json"]).stdout
        #expect(!history.contains(key), "no value in the audit")
        if let data = FileManager.default.contents(atPath: cli.db + "-wal") { #expect(!String(decoding: data, as: UTF8.self).contains(key)) }
    }
}
