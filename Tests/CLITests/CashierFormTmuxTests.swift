import Foundation
import Testing

/// `:cashier` through the real console in tmux against the fake platform on loopback: the form
/// shows a field's problem as it is typed, refuses to send until it is fixed, asks y/n, sends the
/// exact body with the token from the file the environment names, tells the answer in words, and
/// the created transaction is listed as Pending.
@Suite(.serialized) struct CashierFormTmuxTests {
    @Test func anEngineerFillsTheFormFixesAProblemSendsAndSeesThePendingTransaction() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: KeyTestTmuxTests.chileKey + "\n").status == 0)
        let platform = try FakePlatform()
        let tmux = Tmux()
        defer { tmux.kill(); platform.stop(); cli.cleanup() }
        let keyTests = KeyTestTmuxTests()
        tmux.start(keyTests.console(cli, tokenFile: try keyTests.tokenFile(cli), base: platform.base("created")), width: 132, height: 30)
        tmux.waitFor("1 Transactions", seconds: 20)
        tmux.keys(":")
        tmux.type("cashier")
        tmux.keys("Enter")
        var screens = [tmux.waitFor("✓ no problems: s sends", seconds: 40)]  // generous: a loaded CI runs many tmux tests at once
        #expect(screens[0].contains("key chileApiKey ••••4d2e"), "\(screens[0])")
        // email is the seventh row: a wrong address shows its problem while it is typed.
        for _ in 0..<6 { tmux.keys("j") }
        tmux.keys("Enter")
        tmux.keys("C-u")
        tmux.type("ana-at-nowhere")
        screens.append(tmux.waitFor("must be an email address"))
        tmux.keys("Enter")
        tmux.keys("s")
        screens.append(tmux.waitFor("not sent: 1 problem"))
        #expect(platform.requests().isEmpty)
        tmux.keys("Enter")
        tmux.keys("C-u")
        tmux.type("ana@cleo.example")
        tmux.keys("Enter")
        tmux.waitFor("✓ no problems")
        tmux.keys("s")
        screens.append(tmux.waitFor("Send this Pay-In of"))
        tmux.keys("y")
        let answered = tmux.waitFor("created: PENDING (HTTP 200)", seconds: 20)
        screens.append(answered)
        #expect(answered.contains("transactionId: cashier-cleo-console-test"), "\(answered)")
        #expect(answered.contains("listed as Pending (origin: cashier)"), "\(answered)")

        let requests = platform.requests()
        #expect(requests.count == 1)
        #expect((requests.first?["problems"] as? [Any])?.isEmpty == true)
        let body = (requests.first?["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
        #expect(body?["email"] as? String == "ana@cleo.example")
        #expect(body?["type"] as? String == "PAYIN" && body?["countryCode"] as? String == "CL")

        // Esc closes the form; the transaction is in the list as Pending.
        tmux.keys("Escape")
        tmux.keys("Escape")
        tmux.keys("1")
        // The list's column cuts the id: its start, on a Pending row, once the form is gone.
        let list = tmux.waitFor("Transactions  row 1 of 1", seconds: 15)
        #expect(!list.contains("The platform's answer"), "\(list)")
        #expect(list.split(separator: "\n").contains { $0.contains("cashier-cleo-console-te") && $0.contains("Pending") && $0.contains("Pay-In") }, "\(list)")
        let history = try cli.json(["cashier", "history", "--json"]) as? [[String: Any]] ?? []
        #expect(history.count == 1 && history.first?["result"] as? String == "created")
        try keyTests.expectNoSecrets(cli, screens: screens + [list])
    }

    @Test func withoutATokenTheFormSaysHowToProvideOneAndSendsNothing() throws {
        let cli = try CLIHarness()
        #expect(try cli.run(["config", "set", "chileApiKey"], stdin: KeyTestTmuxTests.chileKey + "\n").status == 0)
        let platform = try FakePlatform()
        let tmux = Tmux()
        defer { tmux.kill(); platform.stop(); cli.cleanup() }
        tmux.start("env -u CLEO_CONSOLE_TOKEN_FILE TZ=UTC LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) "
                   + "CLEO_CONSOLE_PLATFORM_URL=\(platform.base("created")) \(CLIHarness.binary)", width: 160, height: 30)
        tmux.waitFor("1 Transactions", seconds: 20)
        tmux.keys(":")
        tmux.type("cashier")
        tmux.keys("Enter")
        tmux.waitFor("✓ no problems", seconds: 15)
        tmux.keys("s")
        tmux.waitFor("no company token: start the console with CLEO_CONSOLE_TOKEN_FILE=FILE")
        #expect(platform.requests().isEmpty)
    }
}
