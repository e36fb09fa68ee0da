import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// issue 10's live list through the real binary in tmux: `p` keeps the chosen row while a feed
/// runs, the search (as you type, trimmed, ASCII case ignored, `n`/`N`), half pages and `G` on
/// Transactions and Events (Events newest first), durations in the filter panel, ids whole at
/// 120 columns and cut in their middle at 80, `y` through OSC 52 without control characters,
/// "1 transaction", and invisible characters shown as placeholders.
@Suite(.serialized) struct LiveListTmuxTests {
    func consoleCommand(_ cli: CLIHarness) -> String {
        "env TZ=UTC LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) \(CLIHarness.binary)"
    }

    /// The id the detail screen shows for the selected row (`Transaction <id>` on its title line).
    func openedID(_ tmux: Tmux, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        tmux.keys("Enter")
        let screen = tmux.waitFor("Transaction ", seconds: 5, sourceLocation: sourceLocation)
        tmux.keys("Escape")
        tmux.waitFor("row ", seconds: 5, sourceLocation: sourceLocation)
        guard let line = screen.split(separator: "\n").first(where: { $0.contains(" Transaction ") }),
              let range = line.range(of: " Transaction ") else { return nil }
        return line[range.upperBound...].split(separator: " ").first.map(String.init)
    }

    /// issue 10: `p` pauses with the chosen row kept while rows arrive (counted as new), and
    /// resuming keeps it too — at the top of the list, where an unpaused list follows new rows.
    @Test func pauseAndResumeKeepTheChosenRowWhileRowsArrive() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog((1...30).map { webhookLine(String(format: "kept-%03d", $0)) })
        tmux.start(consoleCommand(cli))
        tmux.waitFor("row 1 of 30")
        let chosen = try #require(openedID(tmux))
        #expect(chosen == "kept-030")
        tmux.keys("p")
        tmux.waitFor("PAUSED · 0 new · p resumes")
        let feed = try cli.start(["demo", "--count", "30", "--rate", "20", "--seed", "22", "--force"])
        defer { if feed.isRunning { feed.terminate() } }
        // Rows arrive while paused: counted, and the row chosen (the top one) stays chosen.
        tmux.waitUntil("no arrival counted while paused") { Int(firstMatch("PAUSED · (\\d+) new", in: $0) ?? "0") ?? 0 >= 5 }
        #expect(openedID(tmux) == chosen)
        // Resumed under the feed: still the row chosen, now below the rows that arrived.
        tmux.keys("p")
        let resumed = tmux.waitUntil("resumed, the rows that arrived are not above the chosen one") { $0.contains("newer (g)") && !$0.contains("PAUSED") }
        #expect(!resumed.contains("row 1 of "), "\(resumed)")
        #expect(openedID(tmux) == chosen)
        feed.waitUntilExit()
        let after = tmux.waitUntil("the position never counted the rows above") { Int(firstMatch("row (\\d+) of ", in: $0) ?? "0") ?? 0 > 5 }
        #expect(openedID(tmux) == chosen, "\(after)")
        // g goes back to the top, which follows new rows again.
        tmux.keys("g")
        tmux.waitFor("row 1 of ", seconds: 5)
        #expect(openedID(tmux) != chosen)
    }

    /// issue 10 / cli.md: the search updates as you type (no Enter), trims surrounding
    /// whitespace, ignores ASCII case, and `n`/`N` move between its matches.
    @Test func theSearchUpdatesAsYouTypeTrimsIgnoresASCIICaseAndNMovesBetweenMatches() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog([webhookLine("abc-001"), webhookLine("ABD-002"), webhookLine("xyz-003"), webhookLine("abc-004")])
        tmux.start(consoleCommand(cli))
        tmux.waitFor("row 1 of 4")
        tmux.keys("/")
        tmux.waitFor("/ search")
        // Leading spaces and upper case, no Enter: the list already shows the three matches.
        tmux.type("  AB")
        var screen = tmux.waitFor("row 1 of 3 matching", seconds: 5)
        #expect(screen.contains("/ search (id"), "the field closed: \(screen)")
        #expect(!screen.contains("xyz-003") && screen.contains("ABD-002") && screen.contains("abc-001") && screen.contains("abc-004"), "\(screen)")
        tmux.type("C  ")
        screen = tmux.waitFor("row 1 of 2 matching", seconds: 5)
        #expect(!screen.contains("ABD-002") && screen.contains("abc-001") && screen.contains("abc-004"), "\(screen)")
        tmux.keys("Enter")
        screen = tmux.waitUntil("the search field stayed open") { !$0.contains("/ search (id") && $0.contains("row 1 of 2 matching") }
        // The trimmed term is the filter (the summary says it without the spaces).
        #expect(screen.contains("search=ABC") && !screen.contains("search=  "), "\(screen)")
        // Newest first: abc-004, then abc-001.
        #expect(openedID(tmux) == "abc-004")
        tmux.keys("n")
        tmux.waitFor("row 2 of 2 matching", seconds: 5)
        #expect(openedID(tmux) == "abc-001")
        tmux.keys("N")
        tmux.waitFor("row 1 of 2 matching", seconds: 5)
        #expect(openedID(tmux) == "abc-004")
    }

    /// issue 10: `Ctrl-D`/`Ctrl-U` move half a page and `G` goes to the last row, on
    /// Transactions and on Events; Events lists its rejected lines newest first.
    @Test func halfPagesAndGOnTransactionsAndEventsWhichListsNewestFirst() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        // 40 transactions, then 30 lines the parser rejects (lines 41–70).
        try cli.writeLog((1...40).map { webhookLine(String(format: "half-%03d", $0)) } + (1...30).map { "not json \($0)" })
        tmux.start(consoleCommand(cli))
        tmux.waitFor("row 1 of 40")
        tmux.keys("C-d")
        let down = tmux.waitUntil("Ctrl-D did not move") { $0.contains("row ") && !$0.contains("row 1 of 40") }
        let half = try #require(Int(firstMatch("row (\\d+) of 40", in: down) ?? ""), "\(down)")
        #expect(half > 3 && half < 16, "half a page of an 18-row page: \(half)")
        tmux.keys("C-d")
        tmux.waitFor("row \(2 * half - 1) of 40", seconds: 5)
        tmux.keys("C-u")
        tmux.waitFor("row \(half) of 40", seconds: 5)
        // Back to the top: half a page up from row `half` is row 1.
        tmux.keys("C-u")
        // The page above is short (9 rows): it was the row just above the window (row 9).
        tmux.waitFor("row 1 of 40", seconds: 3)
        tmux.keys("g")
        tmux.waitFor("row 1 of 40", seconds: 5)
        tmux.keys("G")
        tmux.waitFor("row 40 of 40", seconds: 5)
        #expect(openedID(tmux) == "half-001")

        tmux.keys("3")
        var screen = tmux.waitFor("selected line", seconds: 5)
        // Newest first: the rows' line numbers go down, the newest (70) first and selected.
        func shownLines(_ screen: String) -> [Int] {
            screenLines(screen, containing: "INVALID_JSON").filter { !$0.contains("·") }.compactMap { row in
                firstMatch("webhook-events\\.jsonl\\s+(\\d+)\\s", in: row).flatMap { Int($0) }
            }
        }
        func selectedLine(_ screen: String) -> Int? {
            let flat = screen.replacingOccurrences(of: "\n", with: " ")
            guard let pane = flat.range(of: "selected line") else { return nil }
            return firstMatch("·\\s+line\\s+(\\d+)\\s+·", in: String(flat[pane.upperBound...])).flatMap { Int($0) }
        }
        screen = tmux.waitUntil("the rejected lines never listed") { shownLines($0).count >= 3 }
        let listed = shownLines(screen)
        #expect(listed.first == 70 && listed == listed.sorted(by: >), "\(listed)\n\(screen)")
        #expect(selectedLine(screen) == 70, "\(screen)")
        tmux.keys("C-d")
        screen = tmux.waitUntil("Ctrl-D did not move on Events") { (selectedLine($0) ?? 70) < 70 }
        let eventsHalf = 70 - (selectedLine(screen) ?? 70)
        #expect(eventsHalf > 1 && eventsHalf < 15, "\(screen)")
        tmux.keys("C-d")
        tmux.waitUntil("a second Ctrl-D") { selectedLine($0) == 70 - 2 * eventsHalf }
        tmux.keys("C-u")
        tmux.waitUntil("Ctrl-U did not come back half a page") { selectedLine($0) == 70 - eventsHalf }
        tmux.keys("G")
        screen = tmux.waitUntil("G did not reach the oldest rejected line") { selectedLine($0) == 41 }
        #expect(shownLines(screen).last == 41, "\(screen)")
        tmux.keys("g")
        tmux.waitUntil("g did not come back to the newest") { selectedLine($0) == 70 }
    }

    /// cli.md: the filter panel's since takes a duration back from now (`6h`, `2d`).
    @Test func theFilterPanelTakesDurations() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        let format = ISO8601DateFormatter()
        func ago(_ hours: Double) -> (String, String) { ("receivedAt", "\"\(format.string(from: Date().addingTimeInterval(-hours * 3600)))\"") }
        try cli.writeLog([webhookLine("three-days-ago", extra: [ago(72)]), webhookLine("twelve-hours-ago", extra: [ago(12)]),
                          webhookLine("one-hour-ago", extra: [ago(1)])])
        tmux.start(consoleCommand(cli), width: 100)
        tmux.waitFor("row 1 of 3")
        func since(_ text: String) {
            tmux.keys("f")
            tmux.waitFor("Filters · counts", seconds: 5)
            // From the top row (the panel keeps the row it was on) down to since.
            for _ in 0..<9 { tmux.keys("k") }
            for _ in 0..<8 { tmux.keys("j") }
            tmux.keys("Enter")
            tmux.keys("C-u")
            tmux.type(text)
            tmux.keys("Enter")
        }
        since("6h")
        var screen = tmux.waitFor("row 1 of 1 matching", seconds: 5)
        #expect(screen.contains("a date, RFC 3339 or 2d"), "the panel stays open: \(screen)")
        tmux.keys("Escape")
        screen = tmux.waitUntil("the panel did not close") { !$0.contains("Filters · counts") }
        #expect(screen.contains("one-hour-ago") && !screen.contains("twelve-hours-ago") && !screen.contains("three-days-ago"), "\(screen)")
        since("2d")
        tmux.waitFor("row 1 of 2 matching", seconds: 5)
        tmux.keys("Escape")
        screen = tmux.waitUntil("the panel did not close") { !$0.contains("Filters · counts") }
        #expect(screen.contains("one-hour-ago") && screen.contains("twelve-hours-ago") && !screen.contains("three-days-ago"), "\(screen)")
        // A bare number is refused, not guessed.
        since("30")
        tmux.waitFor("30: not a date (YYYY-MM-DD), an RFC 3339 time or a duration", seconds: 5)
    }

    /// issue 10: at 120 columns a 24-character Mozarto id, the user and the error code are whole;
    /// at 80 the id is cut in its middle, so ids that share a prefix still read apart.
    @Test func idsAreWholeAt120ColumnsAndCutInTheirMiddleAt80() throws {
        try idsWholeAt120AndCutInTheMiddleAt80(user: "cl-ana.rojas")
    }

    /// The same with a longer user of the demo feed (17 characters) beside the longest error
    /// code: the empty FLAGS column gives way before the error loses a character (it was cut to
    /// `INVALID_PSP_CREDE…` with FLAGS still shown).
    @Test func aLongerUserAndTheLongestErrorCodeAreWholeAt120Columns() throws {
        try idsWholeAt120AndCutInTheMiddleAt80(user: "cl-catalina.munoz")
    }

    func idsWholeAt120AndCutInTheMiddleAt80(user: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        let first = "665f1c2e9b1d4a0012ab34cb", second = "665f1c2e9b1d4a0012ab77ee"
        try cli.writeLog([
            webhookLine(first, "Declined", user: user, extra: [("errorCode", "\"INVALID_PSP_CREDENTIALS\"")]),
            webhookLine(second, "Declined", user: user, extra: [("errorCode", "\"PSP_RATE_LIMITED\"")]),
        ])
        tmux.start(consoleCommand(cli), width: 120, height: 24)
        var screen = tmux.waitFor("row 1 of 2", sourceLocation: sourceLocation)
        let wide = screenLines(screen, containing: "Declined")
        #expect(wide.count == 2, "\(screen)", sourceLocation: sourceLocation)
        #expect(wide.contains { $0.contains(first) && $0.contains(user) && $0.contains("INVALID_PSP_CREDENTIALS") }, "\(screen)", sourceLocation: sourceLocation)
        #expect(wide.contains { $0.contains(second) && $0.contains(user) && $0.contains("PSP_RATE_LIMITED") }, "\(screen)", sourceLocation: sourceLocation)
        #expect(!wide.contains { $0.contains("…") }, "\(screen)", sourceLocation: sourceLocation)
        tmux.run(["resize-window", "-t", "main", "-x", "80", "-y", "24"])
        screen = tmux.waitUntil("the ids were not cut at 80 columns", sourceLocation: sourceLocation) { !$0.contains(first) && $0.contains("row 1 of 2") && $0.contains("…") }
        let narrow = screenLines(screen, containing: "Declined")
        #expect(narrow.count == 2, "\(screen)", sourceLocation: sourceLocation)
        // Cut in the middle: the start and the end of each id kept, so the two still differ.
        let firstRow = narrow.first { $0.contains("34cb") }, secondRow = narrow.first { $0.contains("77ee") }
        #expect(firstRow != nil && secondRow != nil && firstRow != secondRow, "\(screen)", sourceLocation: sourceLocation)
        #expect(narrow.allSatisfy { $0.contains("665f") && $0.contains("…") }, "\(screen)", sourceLocation: sourceLocation)
    }

    /// issue 10: `y` sends the transaction id to the terminal's clipboard by OSC 52 (tmux, with
    /// set-clipboard on, keeps it as a paste buffer), control characters removed, and says so.
    @Test func yCopiesTheIdThroughOSC52WithoutControlCharacters() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog([webhookLine("plain-id-7"), webhookLine("ctl\\u0007id\\nrm-9")])
        tmux.start(consoleCommand(cli), width: 100)
        tmux.run(["set-option", "-s", "set-clipboard", "on"])
        tmux.waitFor("row 1 of 2")
        // The newest first: the id with a BEL and a newline.
        tmux.keys("y")
        var screen = tmux.waitFor("sent to the terminal's clipboard (OSC 52) (control characters removed)", seconds: 5)
        #expect(screen.contains("transaction id ctlidrm-9 sent"), "\(screen)")
        var buffer = ""
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline && buffer.isEmpty { buffer = tmux.run(["show-buffer"]); usleep(30_000) }
        #expect(buffer == "ctlidrm-9", "\(buffer.debugDescription)")
        tmux.keys("j")
        tmux.waitFor("row 2 of 2", seconds: 5)
        tmux.keys("y")
        screen = tmux.waitFor("transaction id plain-id-7 sent to the terminal's clipboard (OSC 52)", seconds: 5)
        #expect(!screen.contains("plain-id-7 sent to the terminal's clipboard (OSC 52) (control"), "\(screen)")
        let again = Date().addingTimeInterval(5)
        while Date() < again && buffer != "plain-id-7" { buffer = tmux.run(["show-buffer"]); usleep(30_000) }
        #expect(buffer == "plain-id-7", "\(buffer.debugDescription)")
    }

    /// issue 10: "1 transaction", never "1 transactions".
    @Test func oneTransactionIsSingular() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog([webhookLine("only-one")])
        tmux.start(consoleCommand(cli))
        let screen = tmux.waitFor("only-one")
        let status = tmux.waitUntil("no count of 1 on the status line") { screenLines($0, containing: "following · last event").first?.contains("· 1 transaction") == true }
        let line = screenLines(status, containing: "following · last event").first ?? ""
        #expect(line.contains("· 1 transaction") && !line.contains("1 transactions"), "\(screen)")
    }

    /// issue 10: invisible characters (a zero-width space, a word joiner, a Hangul filler) in an
    /// id are shown as placeholders, so two ids never look alike.
    @Test func invisibleCharactersInAnIdAreShownAsPlaceholders() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog([webhookLine("look-alike"), webhookLine("look\\u200b-alike"), webhookLine("look\\u2060-alike"),
                          webhookLine("look\\u3164-alike")])
        tmux.start(consoleCommand(cli), width: 120)
        let screen = tmux.waitFor("row 1 of 4")
        #expect(screen.contains("look⟨U+200B⟩-alike"), "\(screen)")
        #expect(screen.contains("look⟨U+2060⟩-alike"), "\(screen)")
        #expect(screen.contains("look⟨U+3164⟩-alike"), "\(screen)")
        #expect(screenLines(screen, containing: "look-alike").count == 1, "\(screen)")
    }
}

/// The screen's rows that contain `text`.
func screenLines(_ screen: String, containing text: String) -> [String] {
    screen.split(separator: "\n").map(String.init).filter { $0.contains(text) }
}

/// The first capture group of `pattern` in `text`.
func firstMatch(_ pattern: String, in text: String) -> String? {
    guard let regex = try? NSRegularExpression(pattern: pattern),
          let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), match.numberOfRanges > 1,
          let range = Range(match.range(at: 1), in: text) else { return nil }
    return String(text[range])
}

extension Tmux {
    /// From a console just started: the Config screen, webhookUrl's editor open.
    func openWebhookURLEditor(sourceLocation: SourceLocation = #_sourceLocation) {
        waitFor("1 Transactions", sourceLocation: sourceLocation)
        keys("2")
        waitFor("webhookUrl", sourceLocation: sourceLocation)
        keys("j", "j", "j", "j", "Enter")
        waitFor("Edit webhookUrl", sourceLocation: sourceLocation)
    }

    /// Polls (bounded) until `condition` holds on the screen; returns the last screen.
    @discardableResult
    func waitUntil(_ what: String, seconds: Double = 5, sourceLocation: SourceLocation = #_sourceLocation,
                   _ condition: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var screen = ""
        repeat {
            screen = self.screen()
            if condition(screen) { return screen }
            usleep(30_000)
        } while Date() < deadline
        Issue.record("\(what):\n\(screen)", sourceLocation: sourceLocation)
        return screen
    }

    /// Waits (bounded) until the console has ended (the pane dead); whether it did.
    @discardableResult
    func waitForExit(seconds: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if run(["display-message", "-p", "-t", "main", "#{pane_dead}"]).hasPrefix("1") { return true }
            usleep(30_000)
        }
        return false
    }
}
