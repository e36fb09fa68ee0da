import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

@Suite struct ReducerTests {
    func page(_ state: AppState, _ rows: [TransactionRecord], newest: Int64? = nil) -> Action {
        .pageLoaded(TransactionPage(query: state.transactions.lastRequested ?? state.transactions.pageQuery(now: state.now), rows: rows,
                                    total: rows.count, overdue: 0, newestSeq: newest ?? rows.first?.seq))
    }

    @Test func theSelectionStaysOnItsTransactionWhenRowsArrive() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("j")))
        _ = state.reduce(.key(.character("j")))
        #expect(state.transactions.selectedID == Fixture.rows[2].id)
        // Given a new row arrives at the top
        let arrived = [Fixture.record(13, "new-one", .pending)] + Fixture.rows
        let effects = state.reduce(.dataChanged(.foreign))
        #expect(effects.contains { if case .loadPage = $0 { true } else { false } })
        _ = state.reduce(page(state, arrived))
        // Then the cursor did not move to another transaction, and the new row is marked new
        #expect(state.transactions.selectedID == Fixture.rows[2].id)
        #expect(state.transactions.marks["new-one"]?.isNew == true)
    }

    @Test func atTheTopTheSelectionFollowsNewRows() {
        var state = Fixture.state()
        #expect(state.transactions.selectedID == Fixture.rows[0].id)
        _ = state.reduce(.dataChanged(.foreign))
        _ = state.reduce(page(state, [Fixture.record(13, "new-one", .pending)] + Fixture.rows))
        #expect(state.transactions.selectedID == "new-one")
    }

    @Test func aChangedRowIsMarkedForAMoment() {
        var state = Fixture.state()
        var rows = Fixture.rows
        rows[0].status = .approved
        rows[0].eventCount += 1
        _ = state.reduce(.dataChanged(.foreign))
        _ = state.reduce(page(state, rows))
        #expect(state.transactions.marks[rows[0].id]?.isNew == false)
        _ = state.reduce(.clockTicked(Fixture.now.adding(milliseconds: 5000)))
        #expect(state.transactions.marks.isEmpty)
    }

    @Test func pausedListsCountArrivalsInsteadOfReloading() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("p")))
        #expect(state.transactions.isPaused)
        let effects = state.reduce(.dataChanged(.foreign))
        #expect(effects.contains(.countArrivals(after: 12)))
        #expect(!effects.contains { if case .loadPage = $0 { true } else { false } })
        _ = state.reduce(.arrivalsCounted(5))
        #expect(state.render().rows[2].contains("PAUSED · 5 new"))
        let resumed = state.reduce(.key(.character("p")))
        #expect(resumed.contains { if case .loadPage = $0 { true } else { false } })
    }

    @Test func pagingUsesTheKeysetCursor() {
        var state = Fixture.state()
        state.transactions.pageSize = 5
        let rows = Array(Fixture.rows.prefix(5))
        _ = state.reduce(.key(.character("g")))
        _ = state.reduce(page(state, rows))
        let effects = state.reduce(.key(.pageDown))
        #expect(effects == [.loadPage(state.transactions.pageQuery(now: state.now))])
        #expect(state.transactions.window == .olderThan(rows.last!.seq))
        // a late answer to the previous request is dropped
        var stale = TransactionQuery()
        stale.limit = state.transactions.pageSize
        _ = state.reduce(.pageLoaded(TransactionPage(query: stale, rows: [], total: 0, overdue: 0, newestSeq: nil)))
        #expect(state.transactions.rows == rows)
    }

    @Test func inASearchFieldEveryPrintableKeyIsText() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("/")))
        // Every key is text: the list reloads as you type, nothing global happens.
        for c in "1q?j:" {
            let effects = state.reduce(.key(.character(c)))
            #expect(effects.allSatisfy { if case .loadPage = $0 { true } else if case .countTransactions = $0 { true } else { false } })
        }
        #expect(state.screen == .transactions && state.isRunning)
        #expect(state.transactions.search?.text == "1q?j:")
        _ = state.reduce(.key(.backspace))
        _ = state.reduce(.key(.ctrl("a")))
        _ = state.reduce(.key(.character(">")))
        #expect(state.transactions.search?.text == ">1q?j")
        _ = state.reduce(.key(.enter))
        #expect(state.transactions.query.search == ">1q?j")
        #expect(state.transactions.search == nil)
        _ = state.reduce(.key(.escape))
        #expect(state.transactions.query.search == nil)
    }

    @Test func globalKeysSwitchScreensAndQuit() {
        var state = Fixture.state()
        #expect(state.reduce(.key(.character("2"))) == [.loadConfig])
        #expect(state.screen == .config)
        #expect(state.reduce(.key(.character("3"))) == [.loadRejected(.newest), .loadRefused(.newest)])
        #expect(state.reduce(.key(.character("4"))) == [.loadAuditPage(.newest, search: nil)])
        _ = state.reduce(.key(.character("?")))
        #expect(state.screen == .help)
        _ = state.reduce(.key(.escape))
        #expect(state.screen == .audit)
        #expect(state.reduce(.key(.ctrl("l"))) == [.repaint])
        #expect(state.reduce(.key(.character("q"))) == [.quit])
        #expect(!state.isRunning)
    }

    @Test func quitAsksFirstWithUnsavedEdits() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        _ = state.reduce(.key(.character(" ")))
        #expect(state.config.hasUnsavedEdits)
        #expect(state.reduce(.key(.character("q"))).isEmpty)
        #expect(state.confirmingQuit)
        _ = state.reduce(.key(.character("n")))
        #expect(state.isRunning && !state.confirmingQuit)
        _ = state.reduce(.key(.character("q")))
        #expect(state.reduce(.key(.character("y"))) == [.quit])
    }

    @Test func theEditorRefusesABrokenRuleAndStaysOpen() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        state.config.selected = .webhookUrl
        _ = state.reduce(.key(.enter))
        for c in "http://x.example" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        #expect(state.config.editor != nil)
        #expect(state.config.editorError == "must use https (got http)")
        #expect(state.config.edits.isEmpty)
        _ = state.reduce(.key(.escape))
        #expect(state.config.editor == nil && state.config.edits.isEmpty)
    }

    @Test func aSecretIsNeverEchoedAndWritingAsksThenExpectsTheSeenVersion() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        state.config.selected = .mexicoApiKey
        _ = state.reduce(.key(.enter))
        for c in "sk_live_mx_SECRET_42" { _ = state.reduce(.key(.character(c))) }
        #expect(!state.render().rows.joined().contains("SECRET"))
        _ = state.reduce(.key(.enter))
        #expect(!state.render().rows.joined().contains("SECRET"))
        #expect(state.reduce(.key(.character("w"))).isEmpty)
        #expect(state.config.confirmingWrite)
        #expect(!state.render().rows.joined().contains("SECRET"))
        let effects = state.reduce(.key(.character("y")))
        #expect(effects == [.saveConfig([ConfigEdit(field: .mexicoApiKey, value: "sk_live_mx_SECRET_42")], expectedVersion: 4)])
    }

    @Test func theWriteDialogAndItsKeyHintsAskTheSameQuestion() {
        for cancel: Key in [.character("n"), .escape] {
            var state = Fixture.state()
            _ = state.reduce(.key(.character("2")))
            _ = state.reduce(.key(.character(" ")))
            _ = state.reduce(.key(.character("w")))
            let rows = state.render().rows
            #expect(rows.joined().contains("y writes (version 4 → 5) · n/Esc cancels"))
            #expect(rows[23].contains("y write  n/Esc cancel"), "\(rows[23])")
            // The scroll keys keep it open; n and Esc cancel as said, the edits kept.
            #expect(state.reduce(.key(.character("j"))).isEmpty && state.config.confirmingWrite)
            #expect(state.reduce(.key(cancel)).isEmpty)
            #expect(!state.config.confirmingWrite && !state.config.edits.isEmpty)
        }
    }

    @Test func anotherOperatorsSaveIsNeverOverwrittenBlindly() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("2")))
        _ = state.reduce(.key(.character(" ")))
        var newer = Fixture.config
        newer.version = 5
        newer.updatedBy = "jorge"
        // Someone else saved while we were editing: the screen says so.
        _ = state.reduce(.configLoaded(newer))
        #expect(state.config.conflict?.contains("jorge") == true)
        #expect(state.config.seenVersion == 4)
        // w names their change and asks one question; y answers it, expecting the version shown.
        _ = state.reduce(.key(.character("w")))
        #expect(state.render().rows.joined().contains("jorge"))
        #expect(state.reduce(.key(.character("y"))) == [.saveConfig([ConfigEdit(field: .isWebhookSecured, value: "true")], expectedVersion: 5)])
        // Changed yet again before that save: the store refuses, and the next w names the new change.
        var newest = newer
        newest.version = 6
        newest.updatedBy = "ana"
        newest.plain[.isWebhookSecured] = "true"
        _ = state.reduce(.configSaveFailed("changed by ana", newest))
        #expect(state.config.hasUnsavedEdits)
        #expect(state.config.theirChange?.by == "ana" && state.config.theirChange?.fields == [.config(.isWebhookSecured)])
        _ = state.reduce(.key(.character("w")))
        #expect(state.render().rows.joined().contains("Overwrite their change to isWebhookSecured?"))
        #expect(state.reduce(.key(.character("y"))) == [.saveConfig([ConfigEdit(field: .isWebhookSecured, value: "true")], expectedVersion: 6)])
        _ = state.reduce(.configSaved(newer))
        #expect(!state.config.hasUnsavedEdits)
    }

    @Test func filtersStackAndReload() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("f")))
        _ = state.reduce(.key(.enter))  // status: Pending
        for _ in 0..<3 { _ = state.reduce(.key(.down)) }
        _ = state.reduce(.key(.enter))  // country → CL
        #expect(state.transactions.query.status == .pending)
        #expect(state.transactions.query.region == .chile)
        for _ in 0..<3 { _ = state.reduce(.key(.character("j"))) }
        _ = state.reduce(.key(.character(" ")))  // flagged
        #expect(state.transactions.query.flaggedOnly)
        _ = state.reduce(.key(.character("c")))
        #expect(!state.transactions.query.isFiltered)
    }

    @Test func thePaletteRunsScreensAndFilters() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character(":")))
        for c in "status declined" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        #expect(state.transactions.query.status == .declined)
        _ = state.reduce(.key(.character(":")))
        for c in "config" { _ = state.reduce(.key(.character(c))) }
        #expect(state.reduce(.key(.enter)) == [.loadConfig])
        _ = state.reduce(.key(.character(":")))
        for c in "frobnicate" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        #expect(state.flash?.isError == true)
    }

    @Test func theHintsComeFromTheSameTableAsTheKeys() {
        let state = Fixture.state(size: Size(width: 200, height: 24))
        let hints = state.render().rows[23]
        for binding in TransactionsScreen.keys where binding.inHints {
            #expect(hints.contains(binding.label), "\(binding.label)")
        }
        let help = HelpScreen.lines().map { $0.label + $0.text }.joined(separator: "\n")
        for binding in ConfigScreen.keys { #expect(help.contains(binding.label)) }
    }

    /// Too long to show, the filters are counted where they are set: a search is not "1 filter
    /// (f)", since the panel does not hold it.
    @Test func aCutFilterSummarySaysWhereEachFilterIsSet() throws {
        var state = Fixture.state(size: Size(width: 80, height: 24))
        _ = state.reduce(.key(.character("/")))
        for c in "665f1c2e9b1d4a0012ab" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        // The page the search asked for (a page for another request would be dropped as late).
        let asked = try #require(state.transactions.lastRequested)
        _ = state.reduce(.pageLoaded(TransactionPage(query: asked, rows: Array(Fixture.rows.prefix(3)), total: 3, overdue: 3, newestSeq: 12)))
        let summary = state.render().rows[state.frame.body.y]
        #expect(summary.contains("row 1 of 3 matching"), "\(summary)")
        #expect(summary.contains("search=665f1c2e9b1d4a0012ab") || summary.contains("search (/)"), "\(summary)")
        #expect(!summary.contains("(f)"), "\(summary)")
        _ = state.reduce(.key(.character("f")))
        _ = state.reduce(.key(.character(" ")))
        _ = state.reduce(.key(.escape))
        let askedBoth = try #require(state.transactions.lastRequested)
        _ = state.reduce(.pageLoaded(TransactionPage(query: askedBoth, rows: Array(Fixture.rows.prefix(2)), total: 2, overdue: 2, newestSeq: 12)))
        let both = state.render().rows[state.frame.body.y]
        // Nothing cut, no half form ("1 filter (f)" would hide the search): both counted, where each is set.
        #expect(both.contains("matching") && (both.contains("1 filter (f) + search (/)") || both.contains("2 filters (f /)")), "\(both)")
        var wide = state
        _ = wide.reduce(.resized(Size(width: 132, height: 30)))
        let whole = wide.render().rows[wide.frame.body.y]
        #expect(whole.contains("filter: status=Pending search=665f1c2e9b1d4a0012ab"), "\(whole)")
    }

    @Test func copyingUsesOSC52WithTheId() {
        var state = Fixture.state()
        #expect(state.reduce(.key(.character("y"))) == [.copy(Fixture.rows[0].id)])
    }

    @Test func tooSmallSaysSoAndStillQuits() {
        var state = Fixture.state()
        _ = state.reduce(.resized(Size(width: 79, height: 24)))
        #expect(state.render().rows.joined().contains("Terminal too small"))
        #expect(state.reduce(.key(.character("2"))).isEmpty)
        #expect(state.reduce(.key(.character("q"))) == [.quit])
    }

    /// Issue 9: an open detail is not reloaded when nothing of it changed, and raw lines are read
    /// one at a time, when shown.
    @Test func anOpenDetailReloadsOnlyWhatChangedAndRawLinesOnDemand() {
        var state = Fixture.state()
        var events = Fixture.events
        for i in events.indices {
            events[i].rowID = Int64(i + 1)
            events[i].raw = []
        }
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.detailLoaded(Fixture.rows[0], events, totalEvents: 40))
        // Another transaction's commit: the detail asks with what it knows.
        let effects = state.reduce(.dataChanged(.foreign))
        #expect(effects.contains(.loadDetail(Fixture.rows[0].id, knownEventCount: Fixture.rows[0].eventCount)))
        // The raw view asks for the selected event's line, once.
        _ = state.reduce(.key(.character("G")))
        #expect(state.reduce(.key(.character("r"))) == [.loadEventRaw(rowID: Int64(events.count))])
        _ = state.reduce(.eventRawLoaded(rowID: Int64(events.count), Array("{}".utf8)))
        #expect(state.detail.timeline.rows.last?.raw == Array("{}".utf8))
        // A reload (the transaction changed) keeps the selected event and the raw already read.
        _ = state.reduce(.key(.escape))
        _ = state.reduce(.detailLoaded(Fixture.rows[0], events, totalEvents: 41))
        #expect(state.detail.timeline.cursor == events.count - 1)
        #expect(state.detail.timeline.rows.last?.raw == Array("{}".utf8))
        #expect(state.render().rows.joined().contains("Timeline · newest \(events.count) of 41 events"))
    }

    /// serve.md, "What the console shows": the Events screen lists refused deliveries beside the
    /// rejected lines; `Tab` switches, each list keeps its selection, a reload keeps the selected
    /// refusal, `Enter` reads a kept body once and, when none was kept, shows the fields and says so.
    @Test func eventsSwitchToRefusedDeliveriesAndShowAKeptBody() {
        var state = Fixture.state()
        _ = state.reduce(.key(.character("3")))
        func refusal(_ id: Int64, _ status: Int, kept: Bool) -> RefusedDelivery {
            RefusedDelivery(id: id, at: Fixture.now, remote: "10.0.0.\(id)", status: status, reason: "r\(id)", raw: kept ? [] : nil, rawLength: kept ? 9 : 0)
        }
        _ = state.reduce(.refusedLoaded([refusal(3, 400, kept: true), refusal(2, 401, kept: false), refusal(1, 400, kept: true)], total: 3))
        #expect(state.events.list == .rejected)
        #expect(state.reduce(.key(.tab)).isEmpty)
        #expect(state.events.list == .refused)
        _ = state.reduce(.key(.character("j")))
        #expect(state.events.refused.cursor == 1 && state.events.rejected.cursor == 0)
        // No body kept (a 401): the raw view opens with the refusal's fields whole and says
        // so; nothing is loaded.
        #expect(state.reduce(.key(.enter)).isEmpty)
        #expect(state.events.showingRaw)
        let unkept = state.render().rows.joined(separator: "\n")
        #expect(unkept.contains("401 from 10.0.0.2") && unkept.contains("r2") && unkept.contains("No body kept") && !unkept.contains("loading"), "\(unkept)")
        _ = state.reduce(.key(.escape))
        // A newer refusal arrives above: the selection stays on its refusal.
        _ = state.reduce(.refusedLoaded([refusal(4, 415, kept: false), refusal(3, 400, kept: true), refusal(2, 401, kept: false), refusal(1, 400, kept: true)], total: 4))
        #expect(state.events.refused.cursor == 2)
        _ = state.reduce(.key(.character("G")))
        #expect(state.reduce(.key(.enter)) == [.loadRefusedBody(id: 1)])
        #expect(state.events.showingRaw)
        _ = state.reduce(.refusedBodyLoaded(id: 1, Array("{\"a\":\u{1B}[2J".utf8)))
        let raw = state.render().rows.joined(separator: "\n")
        #expect(raw.contains("400 from 10.0.0.1") && raw.contains("{\"a\":\\x1B[2J") && !raw.contains("\u{1B}"), "\(raw)")
        _ = state.reduce(.key(.escape))
        // Read once: the same refusal's body is not read again.
        #expect(state.reduce(.key(.enter)).isEmpty)
        _ = state.reduce(.key(.escape))
        // Tab back: the rejected lines' selection was untouched; both lists reload on a commit.
        _ = state.reduce(.key(.tab))
        #expect(state.events.list == .rejected && state.events.rejected.cursor == 0)
        let effects = state.reduce(.dataChanged(.foreign))
        #expect(effects.contains(.loadRejected(.newest)) && effects.contains(.loadRefused(.newest)))
        #expect(state.render().rows.joined().contains("Refused deliveries (4)"))
    }

    /// serve.md, "What the console shows": receiving (last delivery, the last hour), stopped, not
    /// seen; unauthenticated deliveries in production said first.
    @Test func theFrameShowsTheServiceState() {
        func line(_ state: AppState) -> String { state.render().rows[state.size.height - 2] }
        var state = Fixture.state(size: Size(width: 132, height: 30))
        let now = state.now
        var service = ServiceState(pid: 1, listen: "127.0.0.1:8080", isSecured: true, startedAt: now.adding(milliseconds: -60_000),
                                   beatAt: now.adding(milliseconds: -1_000), lastDeliveryAt: now.adding(milliseconds: -3_000),
                                   deliveriesLastHour: 120, refusalsLastHour: 2, stoppedAt: nil)
        #expect(!line(state).contains("serve"))
        _ = state.reduce(.serviceStateRead(service))
        #expect(line(state).contains("serve receiving (last 3 s ago, 120/h, 2 refused)"), "\(line(state))")
        service.beatAt = now.adding(milliseconds: -60_000)
        _ = state.reduce(.serviceStateRead(service))
        #expect(line(state).contains("serve not seen since"))
        service.stoppedAt = now.adding(milliseconds: -30_000)
        _ = state.reduce(.serviceStateRead(service))
        #expect(line(state).contains("serve stopped"))
        var production = Fixture.state(size: Size(width: 132, height: 30), environment: "production")
        service.stoppedAt = nil
        service.beatAt = now
        service.isSecured = false
        _ = production.reduce(.serviceStateRead(service))
        #expect(line(production).contains("⚠ serve takes unauthenticated deliveries"))
        _ = state.reduce(.serviceStateRead(service))
        #expect(!line(state).contains("unauthenticated"))  // sandbox
    }
}
