import CleoDomain
import CleoIngest
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The Events screen's lists page by keyset on id like the transactions: past the page's end
/// the next older page, above its top the newer one, G the oldest row of the whole table.
@Suite struct EventsPagingTests {
    struct World {
        var state = Fixture.state()
        /// Rejected lines 1…n (id = line), answered with the store's keyset semantics.
        var ids: [Int64]

        init(lines: Int) {
            ids = (1...Int64(lines)).map { $0 }
            run(state.reduce(.key(.character("3"))))
        }

        func page(_ window: RowWindow) -> [Int64] {
            let limit = EventsScreen.pageLimit
            switch window {
            case .newest: return Array(ids.reversed().prefix(limit))
            case .oldest: return Array(ids.prefix(limit).reversed())
            case .olderThan(let id): return Array(ids.filter { $0 < id }.reversed().prefix(limit))
            case .newerThan(let id): return Array(ids.filter { $0 > id }.prefix(limit).reversed())
            }
        }

        func line(_ id: Int64) -> RejectedLine {
            RejectedLine(id: id, file: "/var/log/cleo/webhook-events.jsonl", line: id, offset: id * 10, code: "INVALID_JSON",
                         message: "not JSON", raw: [], rawLength: 0, at: Fixture.now)
        }

        mutating func run(_ effects: [Effect], bound: Int = 10) {
            var pending = effects
            for _ in 0..<bound where !pending.isEmpty {
                var next: [Effect] = []
                for effect in pending {
                    switch effect {
                    case .loadRejected(let window):
                        let rows = page(window)
                        next += state.reduce(.rejectedLoaded(rows.map(line), total: ids.count, above: above(rows, window), window: window))
                    case .loadRefused(let window):
                        let rows = page(window)
                        next += state.reduce(.refusedLoaded(rows.map { RefusedDelivery(id: $0, at: Fixture.now, remote: "127.0.0.1", status: 400, reason: "not JSON") },
                                                            total: ids.count, above: above(rows, window), window: window))
                    default: continue
                    }
                }
                pending = next
            }
        }

        /// Rows newer than a page, as the store counts them: an empty page older than an id has
        /// every row from that id up above it.
        func above(_ rows: [Int64], _ window: RowWindow) -> Int {
            let anchor: Int64 = if let first = rows.first { first } else if case .olderThan(let id) = window { id - 1 } else { Int64.max }
            return ids.filter { $0 > anchor }.count
        }

        mutating func key(_ key: Key, times: Int = 1) {
            for _ in 0..<times { run(state.reduce(.key(key))) }
        }

        var selected: Int64? { state.events.rejected.selected?.id }
        var screen: String { state.render().rows.joined(separator: "\n") }
    }

    /// The line numbers of the rejected rows drawn, top to bottom.
    static func drawnLines(_ state: AppState) -> [Int] {
        state.render().rows.compactMap { row in
            let parts = row.split(separator: " ")
            guard let code = parts.firstIndex(of: "INVALID_JSON"), code > 0 else { return nil }
            return Int(parts[code - 1])
        }
    }

    /// A page key moves by the rows drawn, whatever the follower's section above them holds
    /// (notices, serve's lines): PgDn shows the rows right after the last one shown, none skipped;
    /// Ctrl-D half of them. It moved by the body's height less 8 — 12 rows at 80×24 where 3 to 8
    /// are drawn under two notices.
    @Test(arguments: [0, 2]) func aPageKeyMovesByTheRowsDrawnWhateverIsAboveThem(notices: Int) {
        var world = World(lines: 300)
        world.state.follower.notices = (0..<notices).map {
            FollowerNotice(kind: .gap, detail: "notice \($0): the log was rotated while nothing followed it and the old file is gone: at least 1,000 bytes after byte 52,114 were never read",
                           at: Fixture.now)
        }
        world.key(.pageDown, times: 2)  // past the top, where the window is held at the first row
        let before = Self.drawnLines(world.state)
        world.key(.pageDown)
        let after = Self.drawnLines(world.state)
        #expect(!before.isEmpty && after.first == before.last.map { $0 - 1 }, "before \(before), after \(after)")
        world.key(.ctrl("d"))
        let half = Self.drawnLines(world.state)
        #expect(half.first == after.first.map { $0 - after.count / 2 }, "after \(after), half \(half)")
    }

    @Test func movingPastThePageReadsTheNextOlderPageAndBackUp() {
        var world = World(lines: 1_234)
        #expect(world.selected == 1_234)
        #expect(world.screen.contains("Rejected lines (newest 500 of 1,234)"))
        world.key(.character("j"), times: 500)
        #expect(world.selected == 734)
        #expect(world.state.events.rejected.window == .olderThan(735))
        #expect(world.screen.contains("Rejected lines (501–1,000 of 1,234)"))
        world.key(.character("k"))
        #expect(world.selected == 735)
        world.key(.character("j"))
        #expect(world.selected == 734)
        // New lines arrive: the page stays where it is, on its row.
        world.ids += (1_235...1_240).map { $0 }
        world.run(world.state.reduce(.dataChanged(.foreign)))
        #expect(world.selected == 734)
        #expect(world.screen.contains("Rejected lines (507–1,006 of 1,240)"))
    }

    @Test func gAndGGoToTheEndsOfTheWholeTable() {
        var world = World(lines: 1_234)
        world.key(.character("G"))
        #expect(world.selected == 1)
        #expect(world.screen.contains("Rejected lines (735–1,234 of 1,234)"))
        // Up from the oldest page's top: the page above, nearest first.
        world.key(.character("k"), times: 500)
        #expect(world.selected == 501)
        world.key(.character("g"))
        #expect(world.selected == 1_234)
        #expect(world.state.events.rejected.window == .newest)
        // Up a short page above the top: the newest page, on the row just above.
        world.run(EventsScreen.jump(&world.state, to: .olderThan(1_200), index: 0))
        #expect(world.selected == 1_199)
        world.key(.character("k"))
        #expect(world.selected == 1_200)
        #expect(world.state.events.rejected.window == .newest)
    }

    /// A table of exactly 500 or 1,000 lines: ↓ on the last row finds nothing below (counted:
    /// total − above − count), so the rows stay, the last one selected, and ↑ still moves.
    @Test(arguments: [500, 1_000]) func downOnTheLastRowOfAnExactMultipleKeepsTheRows(lines: Int) {
        for list in [EventsScreen.State.List.rejected, .refused] {
            var world = World(lines: lines)
            if list == .refused { world.key(.tab) }
            #expect(world.state.events.list == list)
            let title = lines == 500 ? "(500)" : "501–1,000 of 1,000"  // the second title is cut at 80 columns
            world.key(.character("j"), times: lines - 1)
            #expect(world.state.events.ids.last == 1 && world.state.events.cursor == 499)
            #expect(world.screen.contains(title), "\(world.screen)")
            // Nothing below to read: no page asked for.
            let effects = world.state.reduce(.key(.character("j")))
            #expect(effects.isEmpty, "\(list): \(effects)")
            world.run(effects)
            #expect(world.state.events.count == 500 && world.state.events.cursor == 499, "\(list)")
            #expect(world.screen.contains(title), "\(world.screen)")
            world.key(.character("k"))
            #expect(world.state.events.ids.dropFirst(world.state.events.cursor).first == 2, "\(list)")
        }
    }

    /// An empty page older than the one held (the rows went away since) is never swapped in.
    @Test func anEmptyOlderPageIsNeverSwappedIn() {
        var world = World(lines: 1_000)
        world.key(.character("G"))
        #expect(world.selected == 1)
        world.run(EventsScreen.jump(&world.state, to: .olderThan(1), index: 0))
        #expect(world.state.events.rejected.rows.count == 500 && world.selected == 1)
        #expect(world.screen.contains("Rejected lines (501–1,000 of 1,000)"), "\(world.screen)")
        world.key(.character("k"))
        #expect(world.selected == 2)
        world.key(.character("g"))
        #expect(world.selected == 1_000)
    }
}
