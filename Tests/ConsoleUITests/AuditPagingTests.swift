import CleoDomain
@testable import ConsoleUI
import TerminalCanvas
import Testing

/// The Audit screen pages by keyset like the other lists, and its search covers the whole trail.
@Suite struct AuditPagingTests {
    struct World {
        var state = Fixture.state()
        var all: [AuditEntry]

        init(entries: Int = 1_234) {
            all = (1...entries).map {
            AuditEntry(id: Int64($0), at: Fixture.now, user: $0 % 2 == 0 ? "jorge" : "maria", origin: "local", field: "webhookUrl",
                       old: nil, new: "v\($0)", result: .saved, detail: nil)
            }
            run(state.reduce(.key(.character("4"))))
        }

        mutating func run(_ effects: [Effect]) {
            var pending = effects
            for _ in 0..<10 where !pending.isEmpty {
                var next: [Effect] = []
                for case .loadAuditPage(let window, let search) in pending {
                    let rows = all.filter { search == nil || $0.user.contains(search!.lowercased()) }
                    let limit = AuditScreen.pageLimit
                    let page: [AuditEntry] = switch window {  // newest first
                    case .newest: Array(rows.reversed().prefix(limit))
                    case .oldest: Array(rows.prefix(limit).reversed())
                    case .olderThan(let id): Array(rows.filter { $0.id < id }.reversed().prefix(limit))
                    case .newerThan(let id): Array(rows.filter { $0.id > id }.prefix(limit).reversed())
                    }
                    // As the store counts: an empty page older than an id has every row from it up above.
                    let anchor: Int64 = if let first = page.first { first.id } else if case .olderThan(let id) = window { id - 1 } else { Int64.max }
                    let above = rows.filter { $0.id > anchor }.count
                    next += state.reduce(.auditPageLoaded(page.reversed(), total: rows.count, above: above, window: window, search: search))
                }
                pending = next
            }
        }

        mutating func key(_ key: Key, times: Int = 1) { for _ in 0..<times { run(state.reduce(.key(key))) } }
        var selected: Int64? { state.audit.trail.selected?.id }
        var screen: String { state.render().rows.joined(separator: "\n") }
    }

    @Test func pagingAndSearchReachTheWholeTrail() {
        var world = World()
        #expect(world.selected == 1_234)
        #expect(world.screen.contains("newest 500 of 1,234 entries"))
        world.key(.character("j"), times: 500)
        #expect(world.selected == 734)
        #expect(world.screen.contains("501–1,000 of 1,234 entries"))
        world.key(.character("k"))
        #expect(world.selected == 735)
        world.key(.character("G"))
        #expect(world.selected == 1)
        world.key(.character("g"))
        #expect(world.selected == 1_234)
        // The search runs over the whole trail: 617 of jorge's entries, not the page's 250.
        world.key(.character("/"))
        for c in "JORGE" { world.key(.character(c)) }
        // As you type, like the transactions' search: matched before Enter.
        #expect(world.state.audit.trail.total == 617 && world.state.audit.search != nil)
        world.key(.enter)
        #expect(world.state.audit.trail.total == 617)
        #expect(world.selected == 1_234)
        world.key(.character("G"))
        #expect(world.selected == 2)
        world.key(.escape)
        #expect(world.state.audit.trail.total == 1_234 && world.state.audit.filter == nil)
    }

    /// A trail of exactly 500 or 1,000 entries: ↓ on the last row finds nothing below (counted),
    /// so the entries stay, the last one selected, ↑ still moves; an empty older page is never swapped in.
    /// The paging keys every cursor list shares (`ListPaging`), across the page's end too.
    @Test func pageAndHalfPageKeysMoveTheCursorAcrossPages() {
        var world = World()
        let screenful = AuditScreen.visibleRows(world.state)
        world.key(.pageDown)
        #expect(world.selected == Int64(1_234 - screenful))
        world.key(.ctrl("f"), times: 500 / screenful)
        #expect(world.selected == Int64(1_234 - screenful * (1 + 500 / screenful)), "past the first page: the next one read")
        #expect(world.screen.contains("501–1,000 of 1,234 entries"))
        world.key(.ctrl("u"))
        #expect(world.selected == Int64(1_234 - screenful * (1 + 500 / screenful) + screenful / 2))
        world.key(.character("g"))
        world.key(.pageUp)
        #expect(world.selected == 1_234, "clamped at the top")
    }

    /// Up from a page just below the newest: the page above is short, so the newest page is read
    /// instead, on the entry just above the page left (it landed on the newest page's 500th row).
    @Test func upPastAShortPageAboveLandsOnTheEntryJustAbove() {
        var world = World()
        world.run(AuditScreen.jump(&world.state, to: .olderThan(1_200), index: 0))
        #expect(world.selected == 1_199)
        world.key(.character("k"))
        #expect(world.selected == 1_200 && world.state.audit.trail.window == .newest)
    }

    @Test(arguments: [500, 1_000]) func downOnTheLastEntryOfAnExactMultipleKeepsTheEntries(entries: Int) {
        var world = World(entries: entries)
        let title = entries == 500 ? "500 entries, newest first" : "501–1,000 of 1,000 entries"
        world.key(.character("j"), times: entries - 1)
        #expect(world.selected == 1)
        #expect(world.screen.contains(title), "\(world.screen)")
        // Nothing below to read: no page asked for.
        let effects = world.state.reduce(.key(.character("j")))
        #expect(effects.isEmpty, "\(effects)")
        world.run(effects)
        #expect(world.selected == 1 && world.state.audit.trail.rows.count == 500)
        #expect(world.screen.contains(title), "\(world.screen)")
        world.key(.character("k"))
        #expect(world.selected == 2)
        world.key(.character("j"))
        world.run(AuditScreen.jump(&world.state, to: .olderThan(1), index: 0))
        #expect(world.selected == 1 && world.state.audit.trail.rows.count == 500)
        world.key(.character("k"))
        #expect(world.selected == 2)
    }
}
