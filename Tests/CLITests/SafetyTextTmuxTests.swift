import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// issue 10's "nothing safety-relevant is cut" through the real binary in tmux: the write
/// dialog's long value whole and another operator's change named with one question; guidance
/// and CONFLICT wrapped at 80 columns; the header giving way with the follower's state kept; a
/// gap in the log shown in the frame; the Audit screen's old → new whole; and `q` in the
/// too-small screen keeping an open editor's text.
@Suite(.serialized) struct SafetyTextTmuxTests {
    func consoleCommand(_ cli: CLIHarness, environment: String = "TZ=UTC") -> String {
        "env -u SSH_CONNECTION -u SSH_CLIENT \(environment) LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) \(CLIHarness.binary)"
    }

    /// The screen's text with the spaces and box edges gone: a value wrapped over several rows
    /// reads whole here only when every piece of it is on screen, in order.
    func joined(_ screen: String) -> String {
        String(screen.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) && $0 != "│" }.map(Character.init))
    }

    /// The screen's rows trimmed and joined by single spaces: text wrapped at spaces reads as one line.
    func flowed(_ rows: [Substring]) -> String {
        rows.flatMap { $0.split(separator: " ") }.joined(separator: " ")
    }

    /// issue 10: the write dialog shows a long webhookUrl whole (wrapped), and a change another
    /// operator saved meanwhile is named — who and which field — with one question.
    @Test func theWriteDialogShowsALongURLWholeAndNamesAnotherOperatorsChange() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        let mine = "https://merchant.example/hooks/cleo/" + (1...12).map { "segment\($0)" }.joined(separator: "/") + "/end-of-the-url-4242"
        let theirs = "https://their-operator.example/hooks/theirs"
        tmux.start(consoleCommand(cli))
        tmux.openWebhookURLEditor()
        tmux.type(mine)
        tmux.keys("Enter")
        tmux.waitFor("(unsaved)", seconds: 5)
        // Another operator saves webhookUrl from the command line meanwhile.
        #expect(try cli.run(["config", "set", "webhookUrl", theirs]).status == 0)
        tmux.waitUntil("their change is not said on the Config screen") { flowed($0.split(separator: "\n")).contains("changed webhookUrl at ") }
        tmux.keys("w")
        tmux.waitFor("Write these changes?", seconds: 5)
        // The dialog's rows (its box), once the audit trail has said where their save came from.
        func dialogRows(_ screen: String) -> [Substring] {
            let rows = screen.split(separator: "\n")
            guard let top = rows.firstIndex(where: { $0.contains("Write these changes?") }) else { return [] }
            let bottom = rows[top...].dropFirst().firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("└") } ?? rows.count - 1
            return rows[top...bottom].map { $0.replacingOccurrences(of: "│", with: " ")[...] }
        }
        let screen = tmux.waitUntil("the other operator's change is not named") { flowed(dialogRows($0)).contains("root (local) changed webhookUrl at ") }
        let dialog = dialogRows(screen).joined(separator: "\n")
        #expect(joined(dialog).contains("new:" + mine), "the value is not whole:\n\(dialog)")
        #expect(joined(dialog).contains("now:" + theirs), "\(dialog)")
        #expect(dialog.contains("webhookUrl (changed meanwhile by root):"), "\(dialog)")
        #expect(flowed(dialogRows(screen)).contains("Overwrite their change to webhookUrl? y overwrites"), "\(dialog)")
        #expect(!dialog.contains("version"), "a version number instead of the question:\n\(dialog)")
        // n keeps theirs; the question again, then y writes mine over it.
        tmux.keys("n")
        tmux.waitUntil("the dialog stayed") { !$0.contains("Write these changes?") }
        #expect((try cli.json(["config", "show", "--json"]) as! [String: Any])["webhookUrl"] as? String == theirs)
        tmux.keys("w")
        tmux.waitFor("Overwrite their change to webhookUrl?", seconds: 5)
        tmux.keys("y")
        tmux.waitFor("saved: version", seconds: 5)
        #expect((try cli.json(["config", "show", "--json"]) as! [String: Any])["webhookUrl"] as? String == mine)
    }

    /// issue 10: a pay-out's error-code guidance and the CONFLICT explanation wrap at 80
    /// columns instead of stopping mid-word.
    @Test func guidanceAndConflictWrapAt80Columns() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        // A final status followed by a different final status: CONFLICT.
        let code = [("errorCode", "\"INVALID_PSP_CREDENTIALS\"")]
        try cli.writeLog([webhookLine("payout-conflict-1", "Declined", method: "CLEO_PAYOUT", extra: code),
                          webhookLine("payout-conflict-1", "Approved", method: "CLEO_PAYOUT", extra: code)])
        tmux.start(consoleCommand(cli))
        tmux.waitFor("payout-conflict-1")
        tmux.keys("Enter")
        let screen = tmux.waitFor("Transaction payout-conflict-1", seconds: 5)
        // The fields above the timeline (the timeline's table may cut its own cells).
        let fields = screen.split(separator: "\n").prefix { !$0.contains(" Timeline ") }
        let text = flowed(Array(fields))
        let guidance = "Pay-out: first confirm with Cleo that no money moved for this transaction. "
            + "Check the regional API key for this country in Config (set, correct, account active); do not retry until it is fixed."
        #expect(text.contains(guidance), "the guidance is cut:\n\(screen)")
        #expect(text.contains("INVALID_PSP_CREDENTIALS: Cleo API key (per country) is missing, wrong, or the account is not active — do not retry blindly"),
                "\(screen)")
        #expect(text.contains("CONFLICT a final status was followed by a different final status: support must look at it"), "\(screen)")
        #expect(!fields.contains { $0.contains("…") }, "something is cut:\n\(screen)")
    }

    /// issue 10: with a long SSH origin and a long time zone the header gives way in its order
    /// (the origin cut first, then the zone; the user whole) and the follower's state is never dropped.
    @Test func theHeaderGivesWayInOrderAndKeepsTheFollowersState() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog([webhookLine("header-1")])
        let environment = "SSH_CLIENT='2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff 50000 22' TZ=America/Argentina/ComodRivadavia"
        tmux.start(consoleCommand(cli, environment: environment), width: 140)
        func headerOf(_ screen: String) -> String { screen.split(separator: "\n").first.map(String.init) ?? "" }
        var header = tmux.waitFor("● following").split(separator: "\n").first.map(String.init) ?? ""
        // Room for everything: whole.
        #expect(header.contains("root (admin)@ssh 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff · America/Argentina/ComodRivadavia"), "\(header)")
        // 100 columns: the origin is cut first, the zone whole.
        tmux.run(["resize-window", "-t", "main", "-x", "100", "-y", "24"])
        header = tmux.waitUntil("the origin was not cut at 100 columns") { headerOf($0).contains("@ssh") && !$0.contains("eeee:ffff") && headerOf($0).contains("● following") }.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("● following"), "\(header)")
        #expect(header.contains("root (admin)@ssh 2001:") && header.contains("… · America/Argentina/ComodRivadavia"), "\(header)")
        // 80 columns: the zone gives way too; the user and the follower's state stay.
        tmux.run(["resize-window", "-t", "main", "-x", "80", "-y", "24"])
        header = tmux.waitUntil("the zone was not cut at 80 columns") { headerOf($0).contains("@ssh") && !$0.contains("ComodRivadavia") && headerOf($0).contains("● following") }.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("● following"), "\(header)")
        #expect(header.contains("root (admin)@") && header.contains(" · America/"), "\(header)")
        #expect(header.filter { $0 == "…" }.count == 2, "\(header)")
    }

    /// issue 10: a gap in the log (rotated while nothing followed it, the old file gone) is
    /// shown in the frame with its time, not only on screen 3.
    @Test func aGapInTheLogIsShownInTheFrame() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog([webhookLine("before-gap-1")])
        #expect(try cli.run(["ingest"]).status == 0)
        try cli.append(webhookLine("lost-in-the-gap") + "\n")
        // The new file made before the old one is deleted (so its inode cannot be reused).
        try (webhookLine("after-gap-1") + "\n").write(toFile: cli.events + ".new", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: cli.events)
        try FileManager.default.moveItem(atPath: cli.events + ".new", toPath: cli.events)
        tmux.start(consoleCommand(cli))
        let screen = tmux.waitFor("after-gap-1")
        let status = tmux.waitUntil("no gap in the frame") { !screenLines($0, containing: "⚠ gap").isEmpty }
        let line = screenLines(status, containing: "⚠ gap").first ?? ""
        #expect(firstMatch("⚠ gap (\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d)", in: line) != nil, "no time: \(line)")
        #expect(line.contains("following"), "not the status line: \(line)\n\(screen)")
        #expect(!status.contains("lost-in-the-gap"))
    }

    /// issue 10: the Audit screen's pane shows the selected entry's old → new whole at 80 columns.
    @Test func theAuditPaneShowsOldAndNewWholeAt80Columns() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        let old = "https://merchant.example/hooks/cleo/the-first-address/" + String(repeating: "a", count: 40) + "/old-end"
        let new = "https://merchant.example/hooks/cleo/the-second-address/" + String(repeating: "b", count: 40) + "/new-end"
        #expect(try cli.run(["config", "set", "webhookUrl", old]).status == 0)
        #expect(try cli.run(["config", "set", "webhookUrl", new]).status == 0)
        tmux.start(consoleCommand(cli))
        tmux.waitFor("1 Transactions")
        tmux.keys("4")
        let screen = tmux.waitFor("selected entry", seconds: 5)
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false)
        let pane = rows.drop { !$0.contains("selected entry") }.dropFirst().joined(separator: "\n")
        #expect(joined(pane).contains("old:" + old), "\(screen)")
        #expect(joined(pane).contains("new:" + new), "\(screen)")
        #expect(!pane.contains("…"), "\(screen)")
    }

    /// issue 10: an old → new longer than the pane (a webhookUrl may be 2,048 characters) is
    /// read whole: the pane says so, Enter shows the entry over the screen, G its end.
    @Test func aLongAuditEntryIsReadWholeByEnter() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        let long = "https://merchant.example/hooks/cleo?" + (0..<70).map { "k\($0)=v\($0)" }.joined(separator: "&") + "&last=the-end"
        #expect(try cli.run(["config", "set", "webhookUrl", "https://merchant.example/hooks/first"]).status == 0)
        #expect(try cli.run(["config", "set", "webhookUrl", long]).status == 0)
        tmux.start(consoleCommand(cli))
        tmux.waitFor("1 Transactions")
        tmux.keys("4")
        let pane = tmux.waitFor("Enter: the whole entry", seconds: 5)
        #expect(!joined(pane).contains("the-end"), "\(pane)")
        tmux.keys("Enter")
        let top = tmux.waitFor("Whole: audit entry", seconds: 5)
        #expect(joined(top).contains("https://merchant.example/hooks/cleo?k0=v0&k1=v1"), "\(top)")
        tmux.keys("G")
        let end = tmux.waitUntil("the end of the value") { joined($0).contains("&last=the-end") }
        #expect(joined(end).contains("k69=v69&last=the-end"), "\(end)")
        tmux.keys("Escape")
        tmux.waitFor("Enter: the whole entry", seconds: 5)
    }

    /// issue 10: `q` in the too-small screen with an editor open keeps the text (and the console).
    @Test func qInTheTooSmallScreenKeepsAnOpenEditorsText() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        tmux.start(consoleCommand(cli))
        tmux.openWebhookURLEditor()
        tmux.type("https://kept.example/typed")
        tmux.waitFor("kept.example/typed", seconds: 5)
        tmux.run(["resize-window", "-t", "main", "-x", "60", "-y", "20"])
        tmux.waitFor("A field is open (its text is kept): enlarge to finish it.", seconds: 5)
        tmux.keys("q")
        #expect(!tmux.waitForExit(seconds: 1), "q quit the console with an editor open")
        tmux.run(["resize-window", "-t", "main", "-x", "80", "-y", "24"])
        let screen = tmux.waitFor("Edit webhookUrl", seconds: 5)
        #expect(screen.contains("https://kept.example/typed"), "\(screen)")
        #expect(!screen.contains("typedq"), "the q went into the field: \(screen)")
        tmux.keys("Enter")
        tmux.waitFor("(unsaved)", seconds: 5)
    }
}
