import CleoDomain
import CleoIngest
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// Every screen and state rendered to text and compared with `Screens/` (fixed clock and zone).
@Suite struct ScreenSnapshotTests {
    @Test func transactionsList() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("j")))
        state.transactions.marks["665f1c2e9b1d4a0012ab34cd"] = .init(isNew: true, until: Fixture.now.adding(milliseconds: 2000))
        assertScreen(state, "transactions-list")
    }

    @Test func transactionsWide() {
        let state = Fixture.state(size: Size(width: 132, height: 30))
        assertScreen(state, "transactions-wide")
    }

    @Test func transactionsProduction() {
        let state = Fixture.state(environment: "production")
        assertScreen(state, "transactions-production")
    }

    @Test func transactionsWaitingForTheLog() {
        var state = AppState(session: Fixture.session, size: Size(width: 80, height: 24), now: Fixture.now, eventsPath: "/var/log/cleo/webhook-events.jsonl")
        _ = state.reduce(.followerChanged(FollowerSnapshot(path: "/var/log/cleo/webhook-events.jsonl", phase: .waitingForLog)))
        _ = state.reduce(.pageLoaded(TransactionPage(query: state.transactions.pageQuery(now: Fixture.now), rows: [], total: 0, overdue: 0, newestSeq: nil)))
        assertScreen(state, "transactions-empty-waiting")
    }

    @Test func transactionsFiltersAndPause() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("f")))
        _ = state.reduce(.key(.character(" ")))  // status: Pending
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character(" ")))  // and Declined
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character(" ")))  // country: CL
        // The counts per value, as the grouped query answers them.
        _ = state.reduce(.countsLoaded(state.transactions.countRequest(now: state.now), Counts(total: 1_234, overdue: 3, above: nil, facets: Fixture.facets)))
        Self.answerPage(&state, total: 1_234)
        assertScreen(state, "transactions-filters")
        _ = state.reduce(.key(.escape))
        _ = state.reduce(.key(.character("p")))
        _ = state.reduce(.arrivalsCounted(12))
        assertScreen(state, "transactions-paused")
    }

    @Test func transactionsSearch() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("/")))
        for c in "665f1c2e" { _ = state.reduce(.key(.character(c))) }
        Self.answerPage(&state)
        assertScreen(state, "transactions-search")
    }

    /// The page the list asked for last, answered from the fixture's rows as the store would
    /// filter them (statuses, country, id prefix): a golden shows the list once it is in.
    static func answerPage(_ state: inout AppState, total: Int? = nil) {
        guard let asked = state.transactions.lastRequested else { return }
        let prefix = asked.searchPrefix?.lowercased()
        let rows = Fixture.rows.filter { row in
            (asked.statusFilter.isEmpty || asked.statusFilter.contains(row.status)) && (asked.region == nil || row.region == asked.region)
                && (prefix == nil || row.id.lowercased().hasPrefix(prefix!))
        }
        _ = state.reduce(.pageLoaded(TransactionPage(query: asked, rows: rows, total: total ?? rows.count, overdue: 3, newestSeq: 12)))
    }

    @Test func theExportQuestionWrapsALongPathAndKeepsItsAnswers() {
        var state = Fixture.state()
        let path = "/home/support/exports/2026-12/cleo-transactions-declined-last-week-for-the-bank.csv"
        _ = state.reduce(.exportFinished(.exists(path: path)))
        assertScreen(state, "transactions-export-question")
    }

    /// The flags' explanations wrap at 80 columns under their label, read whole.
    @Test func detailOfAConflictedAndMismatchedTransaction() {
        var state = Fixture.state()
        var record = Fixture.rows[4]
        record.flags = [.conflict, .mismatch]
        // A timeline that gives those flags: Approved, then a different final status, with a
        // user other than the transaction's.
        var events = Fixture.events
        events[1].status = .approved
        events[1].rawStatus = "APPROVED"
        events[1].message = "Transfer confirmed by the bank"
        events[1].errorCode = nil
        events[2].duplicate = false
        events[2].eventID = "ev-3"
        events[2].notes = "CONFLICT: Declined after Approved; MISMATCH: user_id differs (u-other)"
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.detailLoaded(record, events, totalEvents: events.count))
        let screen = state.render().rows.joined(separator: "\n")
        let words = "a final status was followed by a different final status: support must look at it".split(separator: " ")
        #expect(words.allSatisfy { screen.contains($0) }, "\(screen)")
        #expect(screen.contains("CONFLICT") && screen.contains("MISMATCH") && screen.contains("(see notes)"), "\(screen)")
        assertScreen(state, "detail-conflict-mismatch")
    }

    @Test func detailOfADeclinedPayOut() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.detailLoaded(Fixture.rows[2], Fixture.events, totalEvents: Fixture.events.count))
        assertScreen(state, "detail-declined-payout")
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("r")))
        assertScreen(state, "detail-raw")
    }

    @Test func configIncompleteEditingAndDiff() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        assertScreen(state, "config-incomplete")
        for key: Key in [.character("j"), .character("j"), .character("j"), .character("j"), .enter] { _ = state.reduce(.key(key)) }
        for c in "http://merchant.example/hook" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        assertScreen(state, "config-editor-refused")
        _ = state.reduce(.key(.ctrl("u")))
        for c in "https://merchant.example/hooks/cleo" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.character("g")))
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.enter))
        for c in "sk_live_mx_0123456789abcd" { _ = state.reduce(.key(.character(c))) }
        assertScreen(state, "config-secret-editor")
        // The runtime answers with the keyed fingerprint the store will keep.
        #expect(state.reduce(.key(.enter)) == [.fingerprintSecret(.config(.mexicoApiKey), "sk_live_mx_0123456789abcd")])
        _ = state.reduce(.secretFingerprinted(.config(.mexicoApiKey), value: "sk_live_mx_0123456789abcd", fingerprint: "hmac:5c0ffee1", unavailable: nil))
        _ = state.reduce(.key(.character("w")))
        assertScreen(state, "config-diff")
    }

    @Test func configConflict() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        _ = state.reduce(.key(.character(" ")))
        var newer = Fixture.config
        newer.version = 5
        newer.updatedBy = "jorge"
        _ = state.reduce(.configSaveFailed("the configuration was changed by jorge since it was loaded (now version 5); reload and apply again", newer))
        assertScreen(state, "config-conflict")
    }

    @Test func eventsScreen() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("3")))
        _ = state.reduce(.rejectedLoaded([
            RejectedLine(id: 2, file: "/var/log/cleo/webhook-events.jsonl", line: 412, offset: 160_002, code: "INVALID_JSON",
                         message: "not strict JSON: unexpected character at byte 17", raw: Array("{\"a\":1,\u{1B}]0;x\u{07}}".utf8), rawLength: 16, at: Fixture.now),
            RejectedLine(id: 1, file: "/var/log/cleo/webhook-events.jsonl", line: 88, offset: 30_120, code: "UNSUPPORTED_CURRENCY",
                         message: "currency must be CLP, PEN or MXN (Cleo accepts no other)", raw: Array("{\"currency\":\"USD\"}".utf8), rawLength: 18, at: Fixture.now),
        ], total: 2))
        assertScreen(state, "events")
        // newest first: the hostile line (412) is the first one
        _ = state.reduce(.key(.enter))
        assertScreen(state, "events-raw")
    }

    /// serve's state under the follower's; in production an unsecured receiver is a warning in
    /// the section and in the frame (the role spans say so).
    @Test func eventsWithServe() {
        var state = EventsServiceTests.events()
        _ = state.reduce(.serviceStateRead(EventsServiceTests.service()))
        assertScreen(state, "events-serve")
        var production = EventsServiceTests.events(environment: "production")
        _ = production.reduce(.serviceStateRead(EventsServiceTests.service(secured: false)))
        assertScreen(production, "events-serve-unsecured-production")
    }

    /// The refused deliveries, newest first, with hostile text from outside in every cell: a
    /// remote and a reason with ESC and a bidi override must not move the columns or reach the
    /// terminal.
    @Test func eventsRefusedScreen() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("3")))
        _ = state.reduce(.rejectedLoaded([], total: 0))
        let at = Fixture.now.adding(milliseconds: -120_000)
        _ = state.reduce(.refusedLoaded([
            RefusedDelivery(id: 3, at: at.adding(milliseconds: 60_000), remote: "2001:db8:85a3::8a2e:370:7334", status: 401,
                            reason: "missing or wrong Authorization", raw: nil),
            RefusedDelivery(id: 2, at: at.adding(milliseconds: 30_000), remote: "10.0.0.\u{1B}[31m7", status: 400,
                            reason: "not strict JSON: \u{202E}unexpected character at byte 9", raw: [], rawLength: 70_000),
            RefusedDelivery(id: 1, at: at, remote: "203.0.113.7", status: 413, reason: "body over 1 MiB", raw: nil),
        ], total: 1_204))
        _ = state.reduce(.key(.tab))
        _ = state.reduce(.key(.character("j")))
        assertScreen(state, "events-refused")
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.refusedBodyLoaded(id: 2, Array("{\"amount\":\u{1B}]0;pwned\u{07}\n}".utf8)))
        assertScreen(state, "events-refused-raw")
    }

    @Test func auditScreen() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("4")))
        _ = state.reduce(.auditLoaded([
            AuditEntry(id: 1, at: Fixture.now.adding(milliseconds: -7_200_000), user: "maria", origin: "ssh 203.0.113.9", field: "chileApiKey",
                       old: nil, new: "••••9f3a sha256:1a2b3c4d", result: .saved, detail: nil),
            AuditEntry(id: 2, at: Fixture.now.adding(milliseconds: -5_400_000), user: "jorge", origin: "local", field: "webhookUrl",
                       old: nil, new: "http://merchant.example", result: .refused, detail: "must use https (got http)"),
            AuditEntry(id: 3, at: Fixture.now.adding(milliseconds: -3_600_000), user: "maria", origin: "ssh 203.0.113.9", field: "(all)",
                       old: nil, new: "version 4", result: .exported, detail: "config export"),
        ], total: 0))
        assertScreen(state, "audit")
    }

    @Test func helpScreen() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("?")))
        assertScreen(state, "help")
    }

    @Test func tooSmall() {
        var state = Fixture.state()
        _ = state.reduce(.resized(Size(width: 60, height: 20)))
        assertScreen(state, "too-small")
    }

    // MARK: - issue 10: nothing safety-relevant cut

    @Test func theFrameKeepsTheFollowersStateWithALongOriginAndZone() {
        var session = Fixture.session
        session.origin = "ssh 2001:db8:85a3:0:0:8a2e:370:7334 port 52144"
        session.zoneName = "America/Argentina/ComodRivadavia"
        var state = AppState(session: session, size: Size(width: 80, height: 24), now: Fixture.now, eventsPath: "/var/log/cleo/webhook-events.jsonl")
        state.transactions.pageSize = state.bodyHeight - 2
        _ = state.reduce(.followerChanged(Fixture.follower))
        _ = state.reduce(.pageLoaded(TransactionPage(query: state.transactions.pageQuery(now: Fixture.now), rows: Fixture.rows, total: 7, overdue: 0, newestSeq: 12)))
        let header = state.render().rows[0]
        #expect(header.contains("● following"))
        #expect(header.contains("sandbox"))
        #expect(header.contains("…"))
        assertScreen(state, "frame-long-origin")
    }

    @Test func aGapInTheLogIsShownInTheFrame() {
        var state = Fixture.state()
        var follower = Fixture.follower
        follower.record([FollowerNotice(kind: .gap, detail: "1,000 lines never read (the log was rotated twice while nothing followed)", at: Fixture.now.adding(milliseconds: -120_000))])
        _ = state.reduce(.followerChanged(follower))
        let rows = state.render().rows
        #expect(rows[22].contains("⚠ gap 11-25 14:58:00: 1,000 lines never read"))
        assertScreen(state, "frame-gap")
    }

    @Test(arguments: [Size(width: 80, height: 24), Size(width: 120, height: 30)])
    func theWriteDialogShowsEveryValueWholeAndNamesTheirChange(size: Size) throws {
        var state = Fixture.state(size: size)
        _ = state.reduce(.key(.character("2")))
        let url = "https://hooks.merchant.example/cleo/webhooks/v2/receive?tenant=mozarto-merchant-42&region=latam&signature=required"
        state.config.edits[.webhookUrl] = url
        state.config.edits[.chileApiKey] = "sk_live_CL_NEVER_SHOWN_0000_9f3a_new1"
        var newer = Fixture.config
        newer.version = 5
        newer.updatedBy = "jorge"
        newer.plain[.webhookUrl] = "https://other.example/hook"
        _ = state.reduce(.configLoaded(newer))
        _ = state.reduce(.auditLoaded([AuditEntry(id: 9, at: newer.updatedAt!, user: "jorge", origin: "ssh 198.51.100.4", field: "webhookUrl",
                                                  old: nil, new: "https://other.example/hook", result: .saved, detail: nil)], total: 0))
        _ = state.reduce(.key(.character("w")))
        let rows = state.render().rows
        let text = rows.joined(separator: "\n")
        #expect(!text.contains("NEVER_SHOWN"))
        #expect(text.contains("overwrite their change to webhookUrl?".capitalizedFirst))
        #expect(text.contains("jorge (ssh 198.51.100.4) changed webhookUrl"))
        // the whole URL is on screen: after `new:`, its further lines under its first character
        let inside = rows.map { String(Array($0).dropFirst(3).prefix(size.width - 6)) }.joined().replacingOccurrences(of: " ", with: "")
        #expect(inside.contains(url))
        let first = try #require(rows.firstIndex { $0.contains("new: https://hooks.") })
        let column = try #require(Array(rows[first]).firstIndex(of: "h"))
        #expect(Array(rows[first + 1])[column - 1] == " " && Array(rows[first + 1])[column] != " ", "\(rows[first + 1])")
        // one question: the key hints say what the dialog says
        #expect(text.contains("y overwrites · n/Esc cancels"))
        #expect(rows[size.height - 1].contains("y overwrite  n/Esc cancel"), "\(rows[size.height - 1])")
        assertScreen(state, "config-write-conflict")
        #expect(state.reduce(.key(.character("y"))) == [.saveConfig([ConfigEdit(field: .chileApiKey, value: "sk_live_CL_NEVER_SHOWN_0000_9f3a_new1"),
                                                                     ConfigEdit(field: .webhookUrl, value: url)], expectedVersion: 5)])
    }

    @Test func aRefusalReasonWrapsInTheEditor() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        state.config.selected = .webhookUrl
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.key(.paste("https://user:pw@merchant.example/hook")))
        _ = state.reduce(.key(.enter))
        let error = try! #require(state.config.editorError)
        let text = state.render().rows.joined(separator: " ").replacingOccurrences(of: "│", with: " ")
        let words = text.split(separator: " ").joined(separator: " ")
        #expect(words.contains(error.split(separator: " ").joined(separator: " ")), "\(error)")
        assertScreen(state, "config-editor-refused-userinfo")
    }

    @Test func theAuditScreenShowsOldAndNewWholeAndSanitisedCellsFit() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("4")))
        _ = state.reduce(.auditLoaded([
            AuditEntry(id: 1, at: Fixture.now.adding(milliseconds: -7_200_000), user: "maria", origin: "ssh 203.0.113.9", field: "webhookUrl",
                       old: "https://old.merchant.example/hooks/cleo/v1/receive?tenant=42", new: "https://new.merchant.example/hooks/cleo/v2/receive?tenant=42&x=1",
                       result: .saved, detail: nil),
            AuditEntry(id: 2, at: Fixture.now.adding(milliseconds: -5_400_000), user: "ev\u{202E}il", origin: "local", field: "customerExternalKeyForCleo",
                       old: "a\u{202E}b", new: "mozarto-merchant-42", result: .saved, detail: nil),
        ], total: 0))
        let canvas = state.render()
        let text = canvas.rows.joined(separator: "\n")
        #expect(text.contains("ev⟨U+202E⟩il"))
        _ = state.reduce(.key(.character("j")))
        let pane = state.render().rows.joined(separator: "\n")
        #expect(pane.contains("new: https://new.merchant.example/hooks/cleo/v2/receive?tenant=42&x=1"))
        #expect(pane.contains("old: https://old.merchant.example/hooks/cleo/v1/receive?tenant=42"))
        assertScreen(state, "audit-detail")
    }

    /// A webhookUrl may be 2,048 characters: the pane under the list holds a few lines of it and
    /// says so; Enter shows the entry whole, scrolled by the raw view's keys, Esc closes it.
    @Test func enterShowsAnAuditEntryWholeHoweverLong() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("4")))
        let long = "https://merchant.example/hooks/cleo/receive?" + (0..<60).map { "k\($0)=value-\($0)" }.joined(separator: "&") + "&end=here"
        _ = state.reduce(.auditLoaded([
            AuditEntry(id: 1, at: Fixture.now.adding(milliseconds: -7_200_000), user: "maria", origin: "ssh 203.0.113.9", field: "webhookUrl",
                       old: "https://old.merchant.example/hooks", new: long, result: .saved, detail: nil),
        ], total: 0))
        let pane = state.render().rows.joined(separator: "\n")
        #expect(pane.contains("Enter: the whole entry") && !pane.contains("end=here"), "\(pane)")
        _ = state.reduce(.key(.enter))
        assertScreen(state, "audit-entry")
        // Read to its end by the view's keys: every character of the value is drawn at some scroll.
        var seen = ""
        for _ in 0..<40 {
            seen += state.render().rows.joined()
            _ = state.reduce(.key(.pageDown))
        }
        let drawn = seen.filter { !$0.isWhitespace && $0 != "│" }
        #expect(drawn.contains("end=here") && drawn.contains("k59=value-59"), "\(drawn.suffix(200))")
        _ = state.reduce(.key(.escape))
        #expect(!state.audit.showingEntry && state.screen == .audit)
    }

    @Test func theLiveListAwayFromTheTop() {
        var state = Fixture.state()
        for _ in 0..<3 { _ = state.reduce(.key(.character("j"))) }
        _ = state.reduce(.countsLoaded(state.transactions.countRequest(now: state.now), Counts(total: 4_518, overdue: 3, above: 30)))
        #expect(state.render().rows[2].contains("row 34 of 4,518"))
        assertScreen(state, "transactions-anchored")
    }

    @Test func aNonUTF8TerminalKeepsTheSymbolsApart() {
        var state = Fixture.state()
        state.transactions.marks["665f1c2e9b1d4a0012ab34cd"] = .init(isNew: true, until: Fixture.now.adding(milliseconds: 2000))
        state.transactions.marks["665f1c2e9b1d4a0012ab34cc"] = .init(isNew: false, until: Fixture.now.adding(milliseconds: 2000))
        assertScreen(state.renderASCII(), "transactions-ascii")
    }

    @Test func everyMissingFieldIsNamed() {
        var state = Fixture.state()
        _ = state.reduce(.configLoaded(StoredConfiguration()))
        _ = state.reduce(.key(.character("2")))
        let rows = state.render().rows
        let warning = (rows[3] + " " + rows[4]).split(separator: " ").joined(separator: " ")
        #expect(warning.contains("missing: chileApiKey, peruApiKey, mexicoApiKey, customerExternalKeyForCleo, webhookUrl"), "\(warning)")
        assertScreen(state, "config-nothing-set")
    }

    @Test func eventsKeepTheSelectedLineAndGGoesToTheOldest() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("3")))
        func rejected(_ id: Int64) -> RejectedLine {
            RejectedLine(id: id, file: "/var/log/cleo/webhook-events.jsonl", line: id * 10, offset: id * 100, code: "INVALID_JSON", message: "bad \(id)",
                         raw: [], rawLength: 0, at: Fixture.now)
        }
        _ = state.reduce(.rejectedLoaded((1...5).reversed().map(rejected), total: 5))
        _ = state.reduce(.key(.character("j")))
        #expect(state.events.rejected.selected?.id == 4)
        _ = state.reduce(.rejectedLoaded((1...7).reversed().map(rejected), total: 7))
        #expect(state.events.rejected.selected?.id == 4)
        _ = state.reduce(.key(.character("G")))
        #expect(state.events.rejected.selected?.id == 1)
        _ = state.reduce(.key(.character("g")))
        #expect(state.events.rejected.cursor == 0)
        // Audit and the detail's timeline have G too.
        _ = state.reduce(.key(.character("4")))
        _ = state.reduce(.auditLoaded((1...3).map { AuditEntry(id: $0, at: Fixture.now, user: "u\($0)", origin: "local", field: "webhookUrl", old: nil, new: nil, result: .saved, detail: nil) }, total: 0))
        _ = state.reduce(.key(.character("G")))
        #expect(state.audit.trail.selected?.id == 1)
    }
}

extension String {
    /// "Overwrite …" as the dialog starts its question.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
