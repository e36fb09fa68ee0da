import CleoDomain
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
                    guard case .loadRejected(let window) = effect else { continue }
                    let rows = page(window)
                    let above = ids.filter { $0 > (rows.first ?? Int64.max) }.count
                    next += state.reduce(.rejectedLoaded(rows.map(line), total: ids.count, above: above, window: window))
                }
                pending = next
            }
        }

        mutating func key(_ key: Key, times: Int = 1) {
            for _ in 0..<times { run(state.reduce(.key(key))) }
        }

        var selected: Int64? { state.events.selected < state.events.rejected.count ? state.events.rejected[state.events.selected].id : nil }
        var screen: String { state.render().rows.joined(separator: "\n") }
    }

    @Test func movingPastThePageReadsTheNextOlderPageAndBackUp() {
        var world = World(lines: 1_234)
        #expect(world.selected == 1_234)
        #expect(world.screen.contains("Rejected lines (newest 500 of 1,234)"))
        world.key(.character("j"), times: 500)
        #expect(world.selected == 734)
        #expect(world.state.events.rejectedWindow == .olderThan(735))
        #expect(world.screen.contains("Rejected lines (501–1,000 of 1,234)"))
        world.key(.character("k"))
        #expect(world.selected == 735)
        world.key(.character("j"))
        #expect(world.selected == 734)
        // New lines arrive: the page stays where it is, on its row.
        world.ids += (1_235...1_240).map { $0 }
        world.run(world.state.reduce(.dataChanged))
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
        #expect(world.state.events.rejectedWindow == .newest)
        // Up a short page above the top: the newest page, on the row just above.
        world.run(EventsScreen.jump(&world.state, to: .olderThan(1_200), index: 0))
        #expect(world.selected == 1_199)
        world.key(.character("k"))
        #expect(world.selected == 1_200)
        #expect(world.state.events.rejectedWindow == .newest)
    }
}
