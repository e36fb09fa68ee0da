import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The one route table: each route's key, palette words, tab and help line reach the same
/// screen, and screens leave by returning a navigation the reducer carries out.
@Suite struct RouteTableTests {
    /// Screens a route can be taken from (the detail is reached by opening a row).
    static let starts: [ScreenID] = [.transactions, .detail, .config, .events, .audit, .help]

    static func state(on screen: ScreenID) -> AppState {
        var state = Fixture.state()
        if screen == .detail { _ = state.reduce(.key(.enter)) } else { _ = state.navigate(screen == .help ? .help : .show(screen)) }
        #expect(state.screen == screen)
        return state
    }

    @Test func everyRouteKeyReachesItsScreenFromEveryScreen() {
        for start in Self.starts {
            for route in Routes.all {
                var state = Self.state(on: start)
                let effects = state.reduce(.key(route.key))
                // Help's own key on help goes back (to the list, where these start it from).
                let expected = route.screen == .help && start == .help ? ScreenID.transactions : route.screen
                #expect(state.screen == expected, "\(route.key.label) from \(start)")
                // And loads what that screen shows (help and a screen already shown aside).
                var after = state
                if route.screen != .help { #expect(effects == route.screen.screen.shown(&after), "\(route.key.label) from \(start)") }
            }
        }
    }

    @Test func theNumberKeysAreTheTabsInOrder() {
        #expect(Routes.tabs.map(\.key) == [.character("1"), .character("2"), .character("3"), .character("4")])
        #expect(Routes.tabs.map(\.screen) == [.transactions, .config, .events, .audit])
        #expect(Routes.tabKeys == "1-4")
    }

    @Test func everyPaletteWordAndKeyReachesItsScreen() {
        for route in Routes.all {
            for word in route.commands + [route.key.label] {
                for typed in [word, word.uppercased()] {
                    var state = Self.state(on: .events)
                    _ = state.reduce(.key(.character(":")))
                    for c in typed { _ = state.reduce(.key(.character(c))) }
                    _ = state.reduce(.key(.enter))
                    #expect(state.screen == route.screen, ":\(typed)")
                    #expect(state.palette == nil && state.flash == nil, ":\(typed)")
                }
            }
        }
        // A word the table does not have is an error, and goes nowhere.
        var state = Self.state(on: .events)
        _ = state.reduce(.key(.character(":")))
        for c in "5" { _ = state.reduce(.key(.character(c))) }
        _ = state.reduce(.key(.enter))
        #expect(state.screen == .events)
        #expect(state.flash?.isError == true)
    }

    @Test func theTabLineIsTheRouteTable() {
        var state = Fixture.state()
        for route in Routes.tabs {
            _ = state.reduce(.key(route.key))
            let canvas = state.render()
            let line = canvas.rows[1]
            let titles = Routes.tabs.map { "\($0.key.label) \($0.tab!)" }
            #expect(line.hasPrefix("  " + titles.joined(separator: "   ")), "\(line)")
            // The active tab is the route's own.
            let x = 1 + Routes.tabs.prefix { $0 != route }.reduce(0) { $0 + TerminalText.width("\($1.key.label) \($1.tab!)") + 3 }
            #expect(canvas[x + 1, 1].role == .selected, "\(route.label)")
            #expect(canvas[1, 1].role == (route.screen == .transactions ? .selected : .muted))
        }
    }

    @Test func helpListsExactlyTheRoutes() {
        let lines = HelpScreen.lines().map { $0.label + $0.text }
        let start = try! #require(lines.firstIndex(of: "Everywhere (outside a text field)"))
        let everywhere = lines[(start + 1)...].prefix { !$0.isEmpty }
        // The routes first, each with its key and its name, in the table's order; then the rest.
        let routeLines = Routes.all.map { "  " + TerminalText.padded($0.key.label, to: 16) + $0.label }
        #expect(Array(everywhere.prefix(routeLines.count)) == routeLines)
        #expect(!everywhere.dropFirst(routeLines.count).contains { line in Routes.all.contains { line.hasPrefix("  \($0.key.label) ") } })
        // The palette's screen words are the routes' (one per route), before its other commands.
        let palette = try! #require(lines.first { $0.hasPrefix(": palette — ") })
        #expect(palette.hasPrefix(": palette — " + Routes.all.map { $0.commands[0] }.joined(separator: ", ") + ", q, "))
    }

    @Test func screensLeaveByANavigationTheReducerCarriesOut() {
        var state = Fixture.state()
        // Enter on the list: the detail of the selected row, asked for, not written by the list.
        let enter = TransactionsScreen.keys.first { $0.keys.contains(.enter) }!
        #expect(enter.navigation(from: state) == .openDetail("665f1c2e9b1d4a0012ab34cd"))
        #expect(state.reduce(.key(.enter)) == [.loadDetail("665f1c2e9b1d4a0012ab34cd", knownEventCount: nil)])
        #expect(state.screen == .detail && state.detail.requestedID == "665f1c2e9b1d4a0012ab34cd")
        // Esc on every screen but the list is `back`.
        for screen in [ScreenID.detail, .config, .events, .audit, .help] {
            let esc = screen.screen.keys.first { $0.keys.contains(.escape) }!
            #expect(esc.navigation(from: Self.state(on: screen)) == .back, "\(screen)")
        }
        // Back from help is where help was opened, whether by ? or by :help.
        for start in [ScreenID.config, .events, .audit, .detail] {
            var viaKey = Self.state(on: start)
            _ = viaKey.reduce(.key(.character("?")))
            _ = viaKey.reduce(.key(.character("?")))
            #expect(viaKey.screen == start)
            var viaPalette = Self.state(on: start)
            _ = viaPalette.reduce(.key(.character(":")))
            for c in "help" { _ = viaPalette.reduce(.key(.character(c))) }
            _ = viaPalette.reduce(.key(.enter))
            #expect(viaPalette.screen == .help)
            _ = viaPalette.reduce(.key(.escape))
            #expect(viaPalette.screen == start)
        }
        // An audit search is cleared by Esc before Esc goes back.
        var audit = Self.state(on: .audit)
        audit.audit.filter = "webhook"
        let esc = AuditScreen.keys.first { $0.keys.contains(.escape) }!
        #expect(esc.navigation(from: audit) == nil)
        _ = audit.reduce(.key(.escape))
        #expect(audit.screen == .audit && audit.audit.filter == nil)
        _ = audit.reduce(.key(.escape))
        #expect(audit.screen == .transactions)
    }
}

/// A screen's keys change its own state only (and the frame's one-line message); going
/// anywhere else is a navigation the reducer carries out.
@Suite struct ScreenOwnStateTests {
    static func loaded() -> AppState {
        var state = Fixture.state()
        _ = state.reduce(.rejectedLoaded([], total: 0, above: 0, window: .newest))
        _ = state.reduce(.auditLoaded([
            AuditEntry(id: 1, at: Fixture.now.adding(milliseconds: -7_200_000), user: "maria", origin: "ssh 203.0.113.9", field: "webhookUrl",
                       old: "https://old.merchant.example/hooks", new: "https://new.merchant.example/hooks", result: .saved, detail: nil),
            AuditEntry(id: 2, at: Fixture.now.adding(milliseconds: -3_600_000), user: "jorge", origin: "local", field: "chileApiKey",
                       old: nil, new: "••••9f3a", result: .saved, detail: nil),
        ], total: 2))
        return state
    }

    func keysChangeOnlyTheirOwnState<S: Screen>(_ screen: S.Type, on start: AppState, sourceLocation: SourceLocation = #_sourceLocation) {
        for binding in S.keys where binding.navigation(from: start) == nil {
            for key in binding.keys {
                var after = start
                _ = S.reduce(key, in: &after)
                after[keyPath: S.state] = start[keyPath: S.state]
                after.flash = start.flash
                #expect(after == start, "\(S.id): \(key.label) (\(binding.label)) wrote outside its own state", sourceLocation: sourceLocation)
            }
        }
    }

    /// Any key, fed to the screen in `start` (a mode: a field or panel open, a question asked):
    /// what changed outside the screen's own state and the message.
    func anyKeyChangesOnlyItsOwnState<S: Screen>(_ screen: S.Type, on start: AppState, _ mode: String,
                                                   sourceLocation: SourceLocation = #_sourceLocation) {
        let keys: [Key] = "abcdefghijklmnopqrstuvwxyzGNY /1?:".map { Key.character($0) } + [.enter, .escape, .tab, .backspace, .up, .down, .left, .right,
                                                                             .ctrl("d"), .ctrl("u"), .paste("x")]
        for key in keys {
            var after = start
            _ = S.reduce(key, in: &after)
            guard after.screen == start.screen else { continue }  // a navigation, carried out by the reducer
            after[keyPath: S.state] = start[keyPath: S.state]
            after.flash = start.flash
            #expect(after == start, "\(S.id) (\(mode)): \(key.label) wrote outside its own state", sourceLocation: sourceLocation)
        }
    }

    @Test func keysInEveryModeWriteOnlyTheScreensOwnState() {
        var state = Self.loaded()
        _ = state.navigate(.show(.transactions))
        var filters = state
        _ = filters.reduce(.key(.character("f")))
        #expect(filters.transactions.filters.isOpen)
        anyKeyChangesOnlyItsOwnState(TransactionsScreen.self, on: filters, "filter panel")
        var search = state
        _ = search.reduce(.key(.character("/")))
        #expect(search.transactions.search != nil)
        anyKeyChangesOnlyItsOwnState(TransactionsScreen.self, on: search, "search")
        _ = state.navigate(.show(.config))
        var editing = state
        _ = editing.reduce(.key(.enter))
        #expect(editing.config.editor != nil)
        anyKeyChangesOnlyItsOwnState(ConfigScreen.self, on: editing, "editor")
        var asking = state
        _ = asking.reduce(.key(.character(" ")))
        _ = asking.reduce(.key(.character("w")))
        #expect(asking.config.confirmingWrite)
        anyKeyChangesOnlyItsOwnState(ConfigScreen.self, on: asking, "write question")
        _ = state.navigate(.show(.audit))
        var auditSearch = state
        _ = auditSearch.reduce(.key(.character("/")))
        #expect(auditSearch.audit.search != nil)
        anyKeyChangesOnlyItsOwnState(AuditScreen.self, on: auditSearch, "search")
    }

    @Test func everyScreensKeysWriteOnlyItsOwnState() {
        var state = Self.loaded()
        _ = state.navigate(.show(.transactions))
        keysChangeOnlyTheirOwnState(TransactionsScreen.self, on: state)
        _ = state.reduce(.key(.enter))
        _ = state.reduce(.detailLoaded(Fixture.rows[2], Fixture.events, totalEvents: Fixture.events.count))
        keysChangeOnlyTheirOwnState(TransactionDetailScreen.self, on: state)
        for screen in [ScreenID.config, .events, .audit] {
            _ = state.navigate(.show(screen))
            switch screen {
            case .config: keysChangeOnlyTheirOwnState(ConfigScreen.self, on: state)
            case .events: keysChangeOnlyTheirOwnState(EventsScreen.self, on: state)
            default: keysChangeOnlyTheirOwnState(AuditScreen.self, on: state)
            }
        }
        _ = state.navigate(.help)
        keysChangeOnlyTheirOwnState(HelpScreen.self, on: state)
    }
}
