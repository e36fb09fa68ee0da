import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary in a real terminal: tmux runs it, `send-keys` types, `capture-pane` reads.
struct Tmux {
    let socket = "cleo-test-\(UUID().uuidString.prefix(8))"

    /// Runs a tmux command with posix_spawn and waitpid. (Foundation's Process watches its child
    /// through a descriptor that the tmux server, forked by the first command, inherits and
    /// keeps open: it would wait forever.) Output goes through a file for the same reason.
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    @discardableResult
    func run(_ arguments: [String]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-out-\(UUID().uuidString)").path
        defer { unlink(path) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Nothing else: a tmux server forked now would otherwise keep open the pipes of a
        // Process another test is waiting on, and that test would wait forever.
        // (glibc ≥ 2.34 has it, but Swift's Glibc module does not declare it.)
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        // No signal blocked: the test runner's threads block most signals and a child inherits
        // the mask; a tmux server with SIGCHLD and SIGTERM blocked never ended on kill-server
        // (six servers and consoles left running after every test run).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv = (["/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/usr/bin/tmux", &actions, &attributes, argv, environ) == 0 else { return "" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func start(_ command: String, width: Int = 80, height: Int = 24) {
        run(["new-session", "-d", "-s", "main", "-x", String(width), "-y", String(height), command])
        run(["set-option", "-t", "main", "remain-on-exit", "on"])
    }

    func keys(_ keys: String...) { run(["send-keys", "-t", "main"] + keys) }

    /// Waits until the shell has the terminal again (typing earlier would feed the console).
    func waitForShell(sourceLocation: SourceLocation = #_sourceLocation) {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if run(["display-message", "-p", "-t", "main", "#{pane_current_command}"]).hasPrefix("bash") { return }
            usleep(30_000)
        }
        Issue.record("the console never gave the terminal back", sourceLocation: sourceLocation)
    }
    func type(_ text: String) { run(["send-keys", "-t", "main", "-l", text]) }
    func screen() -> String { run(["capture-pane", "-p", "-t", "main"]) }
    func kill() { run(["kill-server"]) }

    /// Waits until the screen contains `text`; returns the screen.
    @discardableResult
    func waitFor(_ text: String, seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = screen()
            if last.contains(text) { return last }
            usleep(30_000)
        }
        Issue.record("screen never showed \(text.debugDescription):\n\(last)", sourceLocation: sourceLocation)
        return last
    }
}

@Suite(.serialized) struct ConsoleTmuxTests {
    func consoleCommand(_ cli: CLIHarness) -> String {
        "env TZ=UTC LANG=C.UTF-8 TERM=xterm-256color CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) \(CLIHarness.binary)"
    }

    @Test func settingUpTheConfigurationInTheConsole() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        tmux.start(consoleCommand(cli))
        tmux.waitFor("1 Transactions")
        tmux.keys("2")
        tmux.waitFor("incomplete — missing: chileApiKey")
        tmux.keys("Enter")
        tmux.waitFor("Edit chileApiKey (not echoed)")
        let secret = "sk_live_CL_never_echoed_9f3a"
        tmux.type(secret)
        var screen = tmux.waitFor("\(secret.count) characters")
        #expect(!screen.contains("never_echoed"))
        #expect(screen.contains(String(repeating: "•", count: secret.count)))
        tmux.keys("Enter")
        tmux.waitFor("••••9f3a")
        // webhookUrl: an http URL is refused on screen, the editor stays open
        tmux.keys("j", "j", "j", "j", "Enter")
        tmux.waitFor("Edit webhookUrl")
        tmux.type("http://merchant.example/hook")
        tmux.keys("Enter")
        tmux.waitFor("must use https (got http)")
        tmux.keys("C-u")
        tmux.type("https://merchant.example/hooks/cleo")
        tmux.keys("Enter")
        tmux.waitFor("* webhookUrl *")
        tmux.keys("w")
        screen = tmux.waitFor("Write these changes?")
        #expect(!screen.contains("never_echoed"))
        tmux.keys("y")
        screen = tmux.waitFor("saved: version 1")
        #expect(!screen.contains("never_echoed"))
        let shown = try cli.json(["config", "show", "--json"]) as! [String: Any]
        #expect(shown["webhookUrl"] as? String == "https://merchant.example/hooks/cleo")
        #expect((shown["cleoApiKey"] as! [String: Any])["chileApiKey"] as? String == "••••9f3a")
        let history = try cli.json(["config", "history", "--json"]) as! [[String: Any]]
        #expect(history.map { $0["result"] as! String } == ["saved", "saved"])
    }

    @Test func linesAppendedToTheLogAppearAndChangeLive() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        FileManager.default.createFile(atPath: cli.events, contents: nil)
        tmux.start(consoleCommand(cli))
        tmux.waitFor("No transactions yet")
        let started = Date()
        try cli.append(webhookLine("live-tx-0001", "Pending", amount: "\"15000\"", currency: "CLP") + "\n")
        var screen = tmux.waitFor("live-tx-0001")
        let appeared = Date().timeIntervalSince(started)
        #expect(screen.contains("◌ Pending"))
        #expect(screen.contains("CLP 15,000"))
        try cli.append(webhookLine("live-tx-0001", "Approved", amount: "\"15000\"", currency: "CLP") + "\n")
        screen = tmux.waitFor("✓ Approved")
        #expect(screen.contains("~"))  // the changed row is marked
        print("line to screen, measured from outside through tmux (capture included): \(Int(appeared * 1000)) ms")
    }

    @Test func hostileTextLeavesThePaneTitleAndScreenIntact() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog([
            webhookLine("evil\\u001b]0;PWNED\\u0007\\u001b[2J\\u001b[31mred", "Pending", user: "u\\u009b1;1H\\u202eyy",
                        extra: [("message", "\"\\u001b]52;c;aGFjaw==\\u0007\"")]),
        ])
        tmux.start(consoleCommand(cli))
        let screen = tmux.waitFor("evil␛]")  // the ESC a visible placeholder (the id is cut in its middle at 80)
        #expect(screen.contains("1 Transactions"))
        #expect(!tmux.run(["display-message", "-p", "-t", "main", "#{pane_title}"]).contains("PWNED"))
        tmux.keys("Enter")
        tmux.waitFor("Transaction evil")
        tmux.keys("r")
        let raw = tmux.waitFor("\\u001b]0;PWNED")
        #expect(raw.contains("Raw: event at line 1"))
        #expect(!tmux.run(["display-message", "-p", "-t", "main", "#{pane_title}"]).contains("PWNED"))
    }

    @Test func resizesAreFollowedAndTooSmallIsSaid() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog([webhookLine("resize-1")])
        tmux.start(consoleCommand(cli))
        tmux.waitFor("resize-1")
        tmux.run(["resize-window", "-t", "main", "-x", "132", "-y", "30"])
        let wide = tmux.waitFor("ERROR")  // the wide layout adds the error and flags columns
        #expect(wide.split(separator: "\n").contains { $0.contains("● following") && $0.count > 120 })
        tmux.run(["resize-window", "-t", "main", "-x", "60", "-y", "20"])
        tmux.waitFor("Terminal too small")
        tmux.run(["resize-window", "-t", "main", "-x", "80", "-y", "24"])
        tmux.waitFor("1 Transactions")
        tmux.keys("C-l")
        tmux.waitFor("resize-1")
    }

    /// Another process's commits reach the screen through `PRAGMA data_version`: here an
    /// `ingest` of a second log into the same database.
    @Test func anotherProcessesCommitsReachTheScreen() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog([webhookLine("own-log-1")])
        tmux.start(consoleCommand(cli))
        tmux.waitFor("own-log-1")
        let other = cli.directory.appendingPathComponent("other.jsonl").path
        try (webhookLine("other-proc-1") + "\n").write(toFile: other, atomically: false, encoding: .utf8)
        #expect(try cli.run(["ingest"], environment: ["CLEO_CONSOLE_EVENTS": other]).status == 0)
        let screen = tmux.waitFor("other-proc-1")
        #expect(screen.contains("own-log-1"))
    }

    /// A terminal that goes away with no SIGHUP reaching the console (it was started under
    /// setsid; the pty closes, as when an SSH connection drops): the console ends instead of
    /// polling a dead descriptor at full speed forever.
    @Test func aConsoleWhoseTerminalVanishesEnds() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        tmux.start("setsid -w " + consoleCommand(cli))
        tmux.waitFor("1 Transactions")
        // setsid (the pane's process) forks: the console is its child.
        let pane = tmux.run(["display-message", "-p", "-t", "main", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let children = (try? String(contentsOfFile: "/proc/\(pane)/task/\(pane)/children", encoding: .utf8)) ?? ""
        guard let console = children.split(separator: " ").first.map(String.init) else {
            Issue.record("no console under setsid (pane \(pane))")
            return
        }
        tmux.kill()
        // Ended: gone, or a zombie waiting for whoever adopted it.
        func running() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(console)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && running() { usleep(50_000) }
        #expect(!running())
        if running() { Glibc.kill(Int32(console) ?? 0, SIGKILL) }
    }

    /// On a terminal a bulk load shows its progress on one line, then the index build, and
    /// clears it before the summary.
    @Test func aBulkLoadShowsItsProgressOnATerminal() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        #expect(try cli.run(["demo", "--count", "90000", "--rate", "0", "--seed", "3"]).status == 0)
        tmux.start(consoleCommand(cli).replacingOccurrences(of: CLIHarness.binary, with: CLIHarness.binary + " ingest --batch 5000"), width: 100)
        let during = tmux.waitFor("% of the log", seconds: 60)
        #expect(during.contains("lines applied, "))
        let after = tmux.waitFor("lines applied: ", seconds: 120)
        #expect(!after.contains("% of the log") && !after.contains("building the indexes"))
        #expect(after.contains("90000 lines applied: "))
    }

    /// Supervisors (and Foundation's `Process`) may start the console with signals blocked, and
    /// a child inherits the mask: the console unblocks what it needs. perl (perl-base, always
    /// installed) blocks them (Linux numbers: WINCH 28, TERM 15, HUP 1, INT 2) and execs the
    /// console, which keeps the pid.
    @Test func aConsoleStartedWithSignalsBlockedStillResizesAndEndsOnSIGTERM() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        try cli.writeLog([webhookLine("masked-1")])
        let blocking = "perl -MPOSIX -e 'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(28, 15, 1, 2)) or die; exec @ARGV or die' -- "
        tmux.start(blocking + consoleCommand(cli))
        tmux.waitFor("masked-1")
        guard let pid = Int32(tmux.run(["display-message", "-p", "-t", "main", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            Issue.record("no pane pid")
            return
        }
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        #expect(status.contains("cleo-console"))  // perl has become the console
        tmux.run(["resize-window", "-t", "main", "-x", "132", "-y", "30"])
        let wide = tmux.waitFor("ERROR")
        #expect(wide.split(separator: "\n").contains { $0.contains("● following") && $0.count > 120 })
        kill(pid, SIGTERM)
        // Blocked, SIGTERM would stay pending and the console would run on.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && tmux.run(["display-message", "-p", "-t", "main", "#{pane_dead}"]).hasPrefix("0") { usleep(30_000) }
        #expect(tmux.run(["display-message", "-p", "-t", "main", "#{pane_dead}"]).hasPrefix("1"))
    }

    @Test func quittingAndSIGTERMRestoreTheTerminal() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        tmux.start("env PS1='$ ' bash --norc --noprofile")
        tmux.waitFor("$")
        tmux.type(consoleCommand(cli) + "\n")
        tmux.waitFor("1 Transactions")
        tmux.keys("q")
        tmux.waitForShell()
        // (the markers are built by the shell, so the typed command line never matches them)
        tmux.type("clear; stty -a | tr ' ' '\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo MODE-$((40+2))\n")
        var screen = tmux.waitFor("MODE-42")
        #expect(screen.contains("icanon echo"))
        #expect(!screen.contains("-icanon"))
        tmux.type("clear; " + consoleCommand(cli) + " & sleep 1; kill -TERM %1; wait; stty -a | grep -o -- '-\\?icanon'; echo TERM-$((40+2))\n")
        screen = tmux.waitFor("TERM-42", seconds: 15)
        #expect(screen.contains("icanon") && !screen.contains("-icanon"))
        // Ctrl-C quits like q.
        tmux.type("clear; " + consoleCommand(cli) + "\n")
        tmux.waitFor("1 Transactions")
        tmux.keys("C-c")
        tmux.waitForShell()
        tmux.type("clear; stty -a | grep -o -- '-\\?icanon'; echo INT-$((40+2))\n")
        screen = tmux.waitFor("INT-42")
        #expect(screen.contains("icanon") && !screen.contains("-icanon"))
        // A crash (a signal a Swift trap or a bad access raises) restores the terminal too.
        tmux.type("clear; " + consoleCommand(cli) + " & sleep 1; kill -SEGV %1; wait; stty -a | grep -o -- '-\\?icanon'; echo SEGV-$((40+2))\n")
        screen = tmux.waitFor("SEGV-42", seconds: 15)
        #expect(screen.contains("icanon") && !screen.contains("-icanon"))
    }

    /// `LANG=C`: every mark its own ASCII stand-in on the real screen, controls in caret
    /// notation, placeholders in ASCII brackets, and no character replaced by `?`.
    @Test func aNonUTF8LocaleFallsBackToASCII() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        let longUser = "a-very-long-user-name-" + String(repeating: "x", count: 60)
        try cli.writeLog([
            webhookLine("ascii-1", "Approved"), webhookLine("ascii-2", "Declined", extra: [("user_id", "\"ñandú\"")]),
            webhookLine("esc\\u001b[2J"), webhookLine("rtl\\u202eid"), webhookLine("ascii-long", user: longUser),
            webhookLine("ascii-flag", user: "u1"), webhookLine("ascii-flag", "Approved", user: "u2"),
        ])
        tmux.start("env LANG=C LC_ALL=C TERM=xterm CLEO_CONSOLE_DB=\(cli.db) CLEO_CONSOLE_EVENTS=\(cli.events) NO_COLOR=1 \(CLIHarness.binary)")
        tmux.waitFor("6 transactions")
        // The catch-up's own marks gone (2 s, at a clock tick: up to 3 s, more on a busy CI), the flagged mark shows.
        var screen = tmux.waitUntil("the flagged mark never replaced the new-row mark", seconds: 8) { screen in
            screen.split(separator: "\n").contains { $0.hasPrefix("! ") && $0.contains("ascii-flag") }
        }
        #expect(screen.contains("+ Approved"))
        #expect(screen.contains("x Declined"))
        #expect(screen.contains("o Pending"))
        #expect(screen.contains("nandu"), "ñandú keeps its letters:\n\(screen)")
        #expect(screen.contains("esc^[[2J"), "ESC in caret notation:\n\(screen)")
        #expect(screen.contains("rtl<U+202E>id"), "the placeholder readable whole:\n\(screen)")
        #expect(screen.contains("a-very-$"), "the cut mark:\n\(screen)")
        #expect(screen.split(separator: "\n").contains { $0.hasPrefix("! ") && $0.contains("ascii-flag") }, "the flagged mark:\n\(screen)")
        #expect(screen.contains("* new ~ changed ! flagged"), "the legend:\n\(screen)")
        #expect(screen.contains("% config incomplete"), "the warning sign is not the flagged mark:\n\(screen)")
        // A row arriving gets the new-row mark.
        try cli.append(webhookLine("ascii-new") + "\n")
        screen = tmux.waitFor("ascii-new")
        #expect(screen.split(separator: "\n").contains { $0.hasPrefix("* ") && $0.contains("ascii-new") }, "the new-row mark:\n\(screen)")
        // Nothing but ASCII, and no `?` standing for a character (help's `?` is a key).
        #expect(screen.unicodeScalars.allSatisfy { $0.isASCII }, "\(screen)")
        #expect(!screen.replacingOccurrences(of: "? help", with: "").contains("?"), "\(screen)")
    }

    /// The id the detail screen shows (`Transaction <id>` on its title line).
    func openedID(_ tmux: Tmux, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        tmux.keys("Enter")
        let screen = tmux.waitFor("Transaction ", sourceLocation: sourceLocation)
        tmux.keys("Escape")
        tmux.waitFor("row ", sourceLocation: sourceLocation)
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("Transaction ") }),
              let range = line.range(of: "Transaction ") else { return nil }
        return line[range.upperBound...].split(separator: " ").first.map(String.init)
    }

    /// issue 10: under a feed of 20 events a second the selected transaction stays selected,
    /// on screen, and Enter opens it (it was lost within ~1.5 s).
    @Test func theSelectionHoldsUnderALiveFeed() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        #expect(try cli.run(["demo", "--count", "60", "--rate", "0", "--seed", "5"]).status == 0)
        tmux.start(consoleCommand(cli))
        tmux.waitFor("row 1 of ")
        for _ in 0..<5 { tmux.keys("j") }
        tmux.waitFor("row 6 of ")
        let chosen = try #require(openedID(tmux))
        let feed = try cli.start(["demo", "--count", "80", "--rate", "20", "--seed", "6", "--force"])
        defer { if feed.isRunning { feed.terminate() } }
        // 3 s of feed: more than a page of new rows above the selection.
        Thread.sleep(forTimeInterval: 3)
        let during = tmux.screen()
        #expect(during.contains("row 6 of ") || during.contains("▲"), "\(during)")
        #expect(during.contains(String(chosen.suffix(10))), "the chosen row left the screen:\n\(during)")
        #expect(openedID(tmux) == chosen)
        feed.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.5)
        #expect(openedID(tmux) == chosen)
        // g goes back to the top, which follows new rows again.
        tmux.keys("g")
        tmux.waitFor("row 1 of ")
    }

    /// issue 10: a console that catches up on a backlog itself counts it, and a burst by another
    /// process is counted even when nothing follows it.
    @Test func countsAreTrueAfterACatchUpAndAnotherProcessesBurst() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        #expect(try cli.run(["demo", "--count", "3000", "--rate", "0", "--seed", "7"]).status == 0)
        tmux.start(consoleCommand(cli))
        tmux.waitFor("● following")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, (try? cli.linesApplied()) != 3000 { usleep(100_000) }
        let transactions = Int(try cli.sql("SELECT count(*) FROM tx").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        tmux.waitFor("\(TransactionsScreenText.grouped(transactions)) transactions", seconds: 10)
        // Another process's burst: a second log ingested into the same database.
        let other = cli.directory.appendingPathComponent("other.jsonl").path
        try (0..<40).map { webhookLine("burst-\($0)") + "\n" }.joined().write(toFile: other, atomically: false, encoding: .utf8)
        #expect(try cli.run(["ingest"], environment: ["CLEO_CONSOLE_EVENTS": other]).status == 0)
        tmux.waitFor("\(TransactionsScreenText.grouped(transactions + 40)) transactions", seconds: 10)
    }

    /// issue 10: a pasted CR is text in the field, never Enter; the URL is not saved past the
    /// review dialog (it was, with `https://evil.example/steal\rwy`).
    @Test func aPastedCarriageReturnIsTextNotEnter() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        tmux.start(consoleCommand(cli))
        tmux.openWebhookURLEditor()
        tmux.run(["set-buffer", "-b", "evil", "https://evil.example/steal\rwy"])
        tmux.run(["paste-buffer", "-p", "-b", "evil", "-t", "main"])
        let screen = tmux.waitFor("steal␍wy")
        #expect(!screen.contains("Write these changes?"))
        #expect(screen.contains("Edit webhookUrl"))
        // Enter: the rule refuses the control character; nothing is stored.
        tmux.keys("Enter")
        tmux.waitFor("webhookUrl: ")
        let shown = try cli.json(["config", "show", "--json"]) as! [String: Any]
        #expect(shown["webhookUrl"] is NSNull || shown["webhookUrl"] == nil)
    }

    /// issue 10: Ctrl-C with unsaved edits asks like q (it quit at once), a second Ctrl-C quits;
    /// on a vt100 (no alternate screen) the last frame is cleared at exit.
    @Test func ctrlCAsksWithUnsavedEditsAndAVT100IsClearedAtExit() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        tmux.start("env PS1='$ ' bash --norc --noprofile")
        tmux.waitFor("$")
        tmux.type(consoleCommand(cli).replacingOccurrences(of: "TERM=xterm-256color", with: "TERM=vt100") + "\n")
        tmux.waitFor("1 Transactions")
        tmux.keys("2")
        tmux.waitFor("isWebhookSecured")
        tmux.keys("Space")
        tmux.waitFor("(unsaved)")
        // Ctrl-C with the write dialog open: the dialog is answered no, one question on screen.
        tmux.keys("w")
        tmux.waitFor("Write these changes?")
        tmux.keys("C-c")
        let asked = tmux.waitFor("Quit anyway?")
        #expect(!asked.contains("Write these changes?"), "two questions at once:\n\(asked)")
        tmux.keys("n")
        tmux.waitFor("quit cancelled")
        tmux.keys("C-c")
        tmux.waitFor("Quit anyway?")
        tmux.keys("C-c")
        tmux.waitForShell()
        tmux.type("echo AFTER-$((40+2))\n")
        let screen = tmux.waitFor("AFTER-42")
        // (the header may have scrolled away under the prompt; the body would not have)
        #expect(!screen.contains("cleoApiKey") && !screen.contains("isWebhookSecured"), "the last frame stayed on a vt100:\n\(screen)")
    }

    /// issue 10: the terminal cursor is shown where the next key lands while a field has the
    /// focus, and hidden otherwise (every field edited blind).
    @Test func theTerminalCursorIsTheCaret() throws {
        let cli = try CLIHarness()
        let tmux = Tmux()
        defer { tmux.kill(); cli.cleanup() }
        tmux.start(consoleCommand(cli))
        tmux.waitFor("1 Transactions")
        func cursor() -> (flag: String, x: Int, y: Int) {
            let parts = tmux.run(["display-message", "-p", "-t", "main", "#{cursor_flag} #{cursor_x} #{cursor_y}"])
                .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
            return (String(parts.first ?? ""), Int(parts.count > 1 ? parts[1] : "") ?? -1, Int(parts.count > 2 ? parts[2] : "") ?? -1)
        }
        #expect(cursor().flag == "0")
        tmux.keys("/")
        tmux.type("665f")
        tmux.keys("Left", "Left")
        let prefix = " / search (id, psp id, user or reference prefix): "
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline && cursor().x != prefix.count + 2 { usleep(30_000) }
        let shown = cursor()
        #expect(shown.flag == "1")
        #expect(shown.x == prefix.count + 2 && shown.y == 21, "\(shown)")
        tmux.keys("Escape")
        tmux.waitFor("? help")
        let hidden = Date().addingTimeInterval(5)
        while Date() < hidden && cursor().flag != "0" { usleep(30_000) }
        #expect(cursor().flag == "0")
    }
}

/// Thousands grouped as the console shows them.
enum TransactionsScreenText {
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }
}
