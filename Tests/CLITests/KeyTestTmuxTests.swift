import Foundation
import Testing

/// `t` on a regional key in Config (issue 13's "done when"): the real binary in tmux sends a
/// sandbox test pay-in to the fake platform on loopback and says in one line what it got; the
/// send is in the history and beside the key; nothing of the token or the key reaches the
/// screen, the database or the history.
@Suite(.serialized) struct KeyTestTmuxTests {
    static let chileKey = "sk_cl_TUI_TEST_SECRET_4d2e"

    func console(_ cli: CLIHarness, tokenFile: String, base: String) -> String {
        "env TZ=UTC LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) "
            + "CLEO_CONSOLE_TOKEN_FILE=\(tokenFile) CLEO_CONSOLE_PLATFORM_URL=\(base) CLEO_CONSOLE_PLATFORM_TIMEOUT=5 \(CLIHarness.binary)"
    }

    func tokenFile(_ cli: CLIHarness) throws -> String {
        let path = cli.directory.appendingPathComponent("company.token").path
        try (FakePlatform.token + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The screens seen, the database and its WAL, the history and `config show`: no secret in any.
    func expectNoSecrets(_ cli: CLIHarness, screens: [String]) throws {
        var everything = screens.joined(separator: "\n")
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: cli.db + suffix) { everything += String(decoding: data, as: UTF8.self) }
        }
        everything += try cli.run(["cashier", "history", "--json"]).stdout
        everything += try cli.run(["config", "show", "--json"]).stdout
        for secret in [FakePlatform.token, Self.chileKey] { #expect(!everything.contains(secret), "a secret leaked") }
    }

    @Test func aNewcomerSetsTheChileKeyPressesTAndReadsCreatedInOneLine() throws {
        let cli = try CLIHarness()
        let platform = try FakePlatform()
        let tmux = Tmux()
        defer { tmux.kill(); platform.stop(); cli.cleanup() }
        tmux.start(console(cli, tokenFile: try tokenFile(cli), base: platform.base("created")), width: 132, height: 30)
        tmux.waitFor("1 Transactions")
        tmux.keys("2")
        tmux.waitFor("incomplete — missing: chileApiKey")
        // Not set yet: t says why and sends nothing.
        tmux.keys("t")
        var screens = [tmux.waitFor("chileApiKey is not set: nothing to test")]
        tmux.keys("Enter")
        tmux.waitFor("Edit chileApiKey (not echoed)")
        tmux.type(Self.chileKey)
        tmux.keys("Enter")
        tmux.waitFor("••••4d2e")
        tmux.keys("w")
        tmux.waitFor("Write these changes?")
        tmux.keys("y")
        tmux.waitFor("saved: version 1")
        tmux.keys("t")
        let answered = tmux.waitFor("chileApiKey test: created")
        screens.append(answered)
        let line = answered.split(separator: "\n").first { $0.contains("chileApiKey test:") }.map(String.init) ?? ""
        #expect(line.contains("chileApiKey test: created: PENDING (HTTP 200) · transactionId cashier-cleo-console-test"))
        #expect(answered.split(separator: "\n").contains { $0.contains("chileApiKey") && $0.contains("test: created") && !$0.contains("chileApiKey test:") })
        #expect(answered.contains("last test: created at "))

        // One request reached the platform, passing its checks; the send is in the history and lastTest.
        let requests = platform.requests()
        #expect(requests.count == 1)
        #expect((requests.first?["problems"] as? [Any])?.isEmpty == true)
        let history = try cli.json(["cashier", "history", "--json"]) as? [[String: Any]] ?? []
        #expect(history.count == 1)
        #expect(history.first?["region"] as? String == "CL")
        #expect(history.first?["type"] as? String == "PAYIN")
        #expect(history.first?["result"] as? String == "created")
        let shown = try cli.json(["config", "show", "--json"]) as? [String: Any]
        let lastTest = shown?["lastTest"] as? [String: Any]
        #expect((lastTest?["chileApiKey"] as? [String: Any])?["result"] as? String == "created")
        try expectNoSecrets(cli, screens: screens)
    }

    @Test func aRefusalIsToldWithItsCodesMeaningAndShownBesideTheKey() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: Self.chileKey + "\n").status == 0)
        let platform = try FakePlatform()
        let tmux = Tmux()
        defer { tmux.kill(); platform.stop(); cli.cleanup() }
        tmux.start(console(cli, tokenFile: try tokenFile(cli), base: platform.base("code-INVALID_PSP_CREDENTIALS")), width: 160, height: 30)
        tmux.waitFor("1 Transactions")
        tmux.keys("2")
        tmux.waitFor("••••4d2e")
        tmux.keys("t")
        let screen = tmux.waitFor("chileApiKey test: refused")
        // The answer whole under the key; the message, too long for the row, names it only.
        #expect(screen.contains("chileApiKey test: refused by the platform (HTTP 400) (the answer below)"), "\(screen)")
        #expect(screen.contains("errorCode INVALID_PSP_CREDENTIALS: "), "\(screen)")
        #expect(screen.contains("test: refused INVALID_PSP_CREDENTIALS"))
        let history = try cli.json(["cashier", "history", "--json"]) as? [[String: Any]] ?? []
        #expect(history.first?["errorCode"] as? String == "INVALID_PSP_CREDENTIALS")
        try expectNoSecrets(cli, screens: [screen])
    }

    @Test func anUnreachablePlatformIsSaid() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: Self.chileKey + "\n").status == 0)
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        tmux.start(console(cli, tokenFile: try tokenFile(cli), base: "http://127.0.0.1:\(FakePlatform.closedPort())"), width: 160, height: 30)
        tmux.waitFor("1 Transactions")
        tmux.keys("2")
        tmux.waitFor("••••4d2e")
        tmux.keys("t")
        let screen = tmux.waitFor("chileApiKey test: the platform is unreachable or failing")
        #expect(screen.contains("test: failing"))
        try expectNoSecrets(cli, screens: [screen])
    }
}
